package org.sdspark.jobs.prep;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.concat;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.struct;
import static org.apache.spark.sql.functions.to_json;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.BinaryType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.StructType;
import org.sdspark.jobs.UsageError;
import org.sdspark.prep.IngestSettings;
import org.sdspark.prep.InputFormat;
import org.sdspark.prep.InputSpec;
import org.sdspark.prep.filter.Rejection;
import org.sdspark.prep.source.CaptionSource;
import org.sdspark.prep.source.FolderLayout;
import org.sdspark.prep.source.ImageEntry;
import org.sdspark.prep.source.InvalidSourceException;
import org.sdspark.prep.source.LayoutPlan;
import org.sdspark.prep.source.SourceFile;

/**
 * Lists every input on the driver through Hadoop and turns it into candidate rows: folder trees
 * through {@link FolderLayout#plan}, Parquet datasets through Spark's Parquet reader.
 */
final class SourcePlanner {

    private final SparkSession spark;
    private final HadoopFiles files;
    private final IngestSettings ingest;

    SourcePlanner(SparkSession spark, HadoopFiles files, IngestSettings ingest) {
        this.spark = spark;
        this.files = files;
        this.ingest = ingest;
    }

    /** What one input contributed: its rows and the files its layout already rejected. */
    record PlannedInput(String input, String format, Dataset<Row> candidates, long candidateCount,
                        List<Row> rejections) {

        long total() {
            return candidateCount + rejections.size();
        }
    }

    PlannedInput plan(InputSpec spec) throws IOException {
        Path root = files.qualify(spec.path());
        List<FileStatus> matched = files.expand(root);
        if (matched.isEmpty()) throw new UsageError("input " + root + " does not exist or matches no file");
        Path base = matched.size() == 1 && matched.get(0).isDirectory() ? root : literalParent(root);
        Map<String, FileStatus> listing = new LinkedHashMap<>();
        for (FileStatus m : matched) listing.putAll(list(m.getPath(), base));
        Map<String, Path> byRelative = new LinkedHashMap<>();
        List<SourceFile> sourceFiles = new ArrayList<>();
        listing.forEach((relative, file) -> {
            byRelative.put(relative, file.getPath());
            sourceFiles.add(new SourceFile(relative, file.getLen()));
        });
        LayoutPlan layout;
        try {
            layout = FolderLayout.plan(sourceFiles,
                    relative -> files.read(byRelative.getOrDefault(relative, new Path(base, relative))), spec, ingest);
        } catch (InvalidSourceException e) {
            throw new UsageError("input " + root + ": " + e.getMessage(), e);
        }

        String input = root.toString();
        List<Row> rejections = new ArrayList<>();
        for (Rejection r : layout.rejections()) {
            Path path = byRelative.get(r.source());
            String source = path != null ? path.toString() : base + "/" + r.source();
            rejections.add(new RowBuilder(PrepSchema.REJECTED).set("source", source).set("reason", r.reason().code())
                    .set("detail", r.detail()).set("input", input).build());
        }
        if (layout.detectedFormat().equals(InputFormat.PARQUET.code())) {
            List<String> parquetFiles = layout.parquetFiles().stream()
                    .map(relative -> byRelative.get(relative).toString())
                    .toList();
            Dataset<Row> rows = parquetRows(spec, input, parquetFiles);
            return new PlannedInput(input, layout.detectedFormat(), rows, rows.count(), rejections);
        }
        List<Row> rows = new ArrayList<>();
        for (ImageEntry image : layout.images()) {
            Path path = byRelative.get(image.path());
            rows.add(new RowBuilder(PrepSchema.CANDIDATE).set("source", path.toString()).set("input", input)
                    .set("location", path.toUri().toString()).set("caption", image.caption())
                    .set("caption_source", image.captionSource().name().toLowerCase(Locale.ROOT))
                    .set("repeats", image.repeats()).set("concept", image.concept()).set("metadata", "{}").build());
        }
        return new PlannedInput(input, layout.detectedFormat(),
                spark.createDataFrame(rows, PrepSchema.CANDIDATE), rows.size(), rejections);
    }

    /** The folder a file or glob lies in: the nearest ancestor without pattern characters. */
    private static Path literalParent(Path path) {
        Path parent = path.getParent();
        while (parent != null && HadoopFiles.isGlob(parent)) parent = parent.getParent();
        return parent;
    }

    /** Every file under {@code root} (or root itself) by its path relative to {@code base}, '/'-separated. */
    private Map<String, FileStatus> list(Path root, Path base) throws IOException {
        Map<String, FileStatus> byRelative = new LinkedHashMap<>();
        String prefix = base.toUri().getPath();
        prefix = prefix.endsWith("/") ? prefix : prefix + "/";
        for (FileStatus file : files.listRecursively(root)) {
            String full = file.getPath().toUri().getPath();
            if (!full.startsWith(prefix)) {
                throw new IOException("listed " + file.getPath() + " outside " + base);
            }
            byRelative.put(full.substring(prefix.length()), file);
        }
        return byRelative;
    }

    /**
     * Rows of a Hugging Face `datasets` Parquet export: the image column is a struct with
     * {@code bytes} and {@code path} (or plain binary), the caption a string column.
     */
    private Dataset<Row> parquetRows(InputSpec spec, String input, List<String> parquetFiles) {
        if (parquetFiles.isEmpty()) {
            return spark.createDataFrame(List.of(), PrepSchema.CANDIDATE);
        }
        Dataset<Row> table = spark.read().parquet(parquetFiles.toArray(String[]::new));
        StructType schema = table.schema();
        String where = "Parquet input " + input + " (columns: " + String.join(", ", schema.fieldNames()) + ")";
        Column image = imageBytes(schema, spec.imageColumn(), where);
        if (!List.of(schema.fieldNames()).contains(spec.captionColumn())) {
            throw new UsageError(where + " has no caption column '" + spec.captionColumn()
                    + "'; set caption-column on the input or sdspark.prep.ingest.caption-column");
        }
        return table.select(
                concat(col("_metadata.file_path"), lit("#row="), col("_metadata.row_index")).as("source"),
                lit(input).as("input"),
                lit(null).cast("string").as("location"),
                image.as("inline"),
                col(spec.captionColumn()).cast("string").as("caption"),
                lit(CaptionSource.PARQUET.name().toLowerCase(Locale.ROOT)).as("caption_source"),
                lit(1).as("repeats"),
                lit("").as("concept"),
                imagePath(schema, spec.imageColumn()).as("image_path"),
                otherColumns(schema, spec).as("metadata"));
    }

    /** HF's {@code image.path}: the file name the image had when the dataset was made. */
    private static Column imagePath(StructType schema, String column) {
        return schema.apply(column).dataType() instanceof StructType struct
                && List.of(struct.fieldNames()).contains("path")
                ? col(column + ".path").cast("string")
                : lit(null).cast("string");
    }

    /** Every column but the image and the caption, as one JSON object ("{}" when there are none). */
    private static Column otherColumns(StructType schema, InputSpec spec) {
        List<Column> others = new ArrayList<>();
        for (String name : schema.fieldNames()) {
            if (!name.equals(spec.imageColumn()) && !name.equals(spec.captionColumn())) others.add(col(name));
        }
        return others.isEmpty() ? lit("{}") : to_json(struct(others.toArray(Column[]::new)));
    }

    private static Column imageBytes(StructType schema, String column, String where) {
        if (!List.of(schema.fieldNames()).contains(column)) {
            throw new UsageError(where + " has no image column '" + column
                    + "'; set image-column on the input or sdspark.prep.ingest.image-column");
        }
        DataType type = schema.apply(column).dataType();
        if (type instanceof BinaryType) {
            return col(column);
        }
        if (type instanceof StructType struct && List.of(struct.fieldNames()).contains("bytes")
                && struct.apply("bytes").dataType() instanceof BinaryType) {
            return col(column + ".bytes");
        }
        throw new UsageError(where + ": column '" + column + "' is " + type.simpleString()
                + ", expected binary or struct<bytes: binary, path: string>");
    }
}
