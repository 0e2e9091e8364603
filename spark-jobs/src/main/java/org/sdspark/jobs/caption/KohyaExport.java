package org.sdspark.jobs.caption;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Iterator;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.function.ForeachPartitionFunction;
import org.apache.spark.sql.Row;
import org.sdspark.jobs.prep.HadoopFiles;

/**
 * Writes a dataset as kohya sd-scripts reads a folder: {@code <repeats>_<concept>/} folders, each
 * image with its caption in a {@code .txt} of the same stem (the row id, unique across the dataset).
 */
final class KohyaExport implements ForeachPartitionFunction<Row> {
    private final HadoopFiles files;
    private final String root;

    KohyaExport(HadoopFiles files, Path root) {
        this.files = files;
        this.root = root.toString();
    }

    /** The folder of a concept: kohya's {@code N_name}; the name is kept to letters, digits, space, '.', '_' and '-'. */
    static String folder(int repeats, String concept) {
        String name = concept == null || concept.isBlank() ? "images" : concept.replaceAll("[^\\p{L}\\p{N} ._-]", "_");
        return repeats + "_" + name;
    }

    static String extension(String format) {
        return format.equals("jpeg") ? "jpg" : format;
    }

    @Override
    public void call(Iterator<Row> rows) {
        while (rows.hasNext()) {
            Row row = rows.next();
            Path dir = new Path(root, folder(row.<Integer>getAs("repeats"), row.getAs("concept")));
            String id = row.getAs("id");
            try {
                write(new Path(dir, id + "." + extension(row.getAs("format"))), row.getAs("image"));
                String caption = row.getAs("caption");
                write(new Path(dir, id + ".txt"), (caption == null ? "" : caption).getBytes(StandardCharsets.UTF_8));
            } catch (IOException e) {
                throw new UncheckedIOException("kohya export of " + row.getAs("source") + " to " + dir, e);
            }
        }
    }

    private void write(Path file, byte[] bytes) throws IOException {
        FileSystem fs = files.fs(file);
        try (OutputStream out = fs.create(file, true)) {
            out.write(bytes);
        }
    }
}
