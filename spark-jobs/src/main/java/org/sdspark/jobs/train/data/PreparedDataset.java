package org.sdspark.jobs.train.data;

import java.io.IOException;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.parquet.example.data.Group;
import org.apache.parquet.example.data.simple.convert.GroupRecordConverter;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.hadoop.util.HadoopInputFile;
import org.apache.parquet.io.ColumnIOFactory;
import org.apache.parquet.io.RecordReader;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.PrimitiveType.PrimitiveTypeName;
import org.apache.parquet.schema.Type;
import org.sdspark.prep.bucket.Bucket;
import org.sdspark.prep.bucket.BucketFit;
import org.sdspark.prep.plan.PlanImage;
import org.sdspark.prep.tensor.TrainingCrop;

/**
 * The rows of a committed {@code sdspark prep} output ({@code accepted/}), every column but the
 * image bytes, read by column name straight from the Parquet files through Hadoop's FileSystem
 * (local, hdfs://, s3a://): no SparkSession, so a training task can read it as well as the driver.
 * Memory: one small record per image (ids, caption, crop), never image bytes.
 */
public final class PreparedDataset implements Serializable {
    static final String IMAGE = "image";
    private static final String[] INTS = {"repeats", "width", "height", "bucket_width", "bucket_height",
            "resized_width", "resized_height", "crop_left", "crop_top"};
    private static final String[] STRINGS = {"id", "source", "concept"};
    private static final String CAPTION = "caption";

    private final String root;
    private final List<String> files;
    private final List<DatasetRow> rows;

    private PreparedDataset(String root, List<String> files, List<DatasetRow> rows) {
        this.root = root;
        this.files = List.copyOf(files);
        this.rows = List.copyOf(rows);
    }

    public static PreparedDataset read(String root, Configuration conf) throws IOException {
        Path rootPath = new Path(root);
        FileSystem fs = rootPath.getFileSystem(conf);
        if (!fs.exists(new Path(rootPath, "_SUCCESS"))) {
            throw new IOException(root + " is not a committed sdspark prep output (it has no _SUCCESS marker)");
        }
        FileStatus[] listed = fs.listStatus(new Path(rootPath, "accepted"),
                p -> p.getName().endsWith(".parquet") && !p.getName().startsWith("_") && !p.getName().startsWith("."));
        List<String> files = Arrays.stream(listed).map(s -> s.getPath().toString()).sorted().toList();
        List<DatasetRow> rows = new ArrayList<>();
        for (int f = 0; f < files.size(); f++) readFile(files.get(f), f, conf, rows);
        if (rows.isEmpty()) throw new IOException(root + " has no accepted images");
        return new PreparedDataset(root, files, rows);
    }

    private static void readFile(String file, int index, Configuration conf, List<DatasetRow> rows) throws IOException {
        try (ParquetFileReader reader = ParquetFileReader.open(HadoopInputFile.fromPath(new Path(file), conf))) {
            MessageType schema = reader.getFooter().getFileMetaData().getSchema();
            List<Type> fields = new ArrayList<>();
            for (String name : STRINGS) fields.add(column(schema, file, name, PrimitiveTypeName.BINARY));
            for (String name : INTS) fields.add(column(schema, file, name, PrimitiveTypeName.INT32));
            fields.add(column(schema, file, CAPTION, PrimitiveTypeName.BINARY));
            MessageType projection = new MessageType(schema.getName(), fields);
            reader.setRequestedSchema(projection);
            long position = 0;
            for (var pages = reader.readNextRowGroup(); pages != null; pages = reader.readNextRowGroup()) {
                RecordReader<Group> records = new ColumnIOFactory().getColumnIO(projection)
                        .getRecordReader(pages, new GroupRecordConverter(projection));
                for (long i = 0; i < pages.getRowCount(); i++) {
                    rows.add(row(records.read(), rows.size(), index, position++, file));
                }
            }
        }
    }

    private static DatasetRow row(Group g, int row, int file, long position, String path) {
        String id = g.getString("id", 0);
        try {
            BucketFit fit = new BucketFit(new Bucket(g.getInteger("bucket_width", 0), g.getInteger("bucket_height", 0)),
                    g.getInteger("resized_width", 0), g.getInteger("resized_height", 0),
                    g.getInteger("crop_left", 0), g.getInteger("crop_top", 0));
            String caption = g.getFieldRepetitionCount(CAPTION) == 0 ? null : g.getString(CAPTION, 0);
            return new DatasetRow(row, id, g.getString("source", 0), caption, g.getString("concept", 0),
                    g.getInteger("repeats", 0),
                    new TrainingCrop(g.getInteger("width", 0), g.getInteger("height", 0), fit), file, position);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException(path + ", row " + position + " (id " + id + "): " + e.getMessage(), e);
        }
    }

    private static Type column(MessageType schema, String file, String name, PrimitiveTypeName type) {
        if (!schema.containsField(name)) {
            throw new IllegalArgumentException(file + " has no column '" + name + "': not an sdspark prep output, or an older one");
        }
        Type field = schema.getType(name);
        if (!field.isPrimitive() || field.asPrimitiveType().getPrimitiveTypeName() != type) {
            throw new IllegalArgumentException(file + ": column '" + name + "' is " + field + ", expected " + type);
        }
        return field;
    }

    /** The same rows with every caption replaced (DreamBooth's instance or class prompt). */
    public PreparedDataset withCaption(String caption) {
        return new PreparedDataset(root, files, rows.stream().map(r -> r.withCaption(caption)).toList());
    }

    public String root() {
        return root;
    }

    /** The dataset's Parquet files, in the order {@link DatasetRow#file()} counts them. */
    public List<String> files() {
        return files;
    }

    public List<DatasetRow> rows() {
        return rows;
    }

    public DatasetRow row(int row) {
        return rows.get(row);
    }

    /** The planner's view: row number, bucket, repeats. */
    public List<PlanImage> planImages() {
        return rows.stream().map(r -> new PlanImage(r.row(), r.crop().fit().bucket(), r.repeats())).toList();
    }
}
