package org.sdspark.jobs.prep;

import static org.apache.spark.sql.types.DataTypes.BinaryType;
import static org.apache.spark.sql.types.DataTypes.IntegerType;
import static org.apache.spark.sql.types.DataTypes.LongType;
import static org.apache.spark.sql.types.DataTypes.StringType;

import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * Row layouts between the stages of the prep job, and of its two output tables. Rows are built
 * ({@link RowBuilder}) and read by column name, never by position.
 */
final class PrepSchema {

    private PrepSchema() {
    }

    /**
     * Provenance columns of an input carried along, as one JSON object (numbers, arrays and
     * structs keep their JSON types). Text rather than a map: Spark refuses set operations
     * (distinct, except) on tables with map columns.
     */
    static final DataType METADATA = StringType;

    /**
     * One input image before inspection. Folder images carry {@code location} (a URI read on the
     * executor), Parquet rows carry their bytes in {@code inline}, the file name the dataset gave
     * the image in {@code image_path} (HF {@code image.path}) and their other columns in
     * {@code metadata}; folder images have neither.
     */
    static final StructType CANDIDATE = struct(
            field("source", StringType, false),
            field("input", StringType, false),
            field("location", StringType, true),
            field("inline", BinaryType, true),
            field("caption", StringType, true),
            field("caption_source", StringType, false),
            field("repeats", IntegerType, false),
            field("concept", StringType, false),
            field("image_path", StringType, true),
            field("metadata", METADATA, true));

    /** A candidate after the quality filter; image facts are null for rejected rows. */
    static final StructType INSPECTED = struct(
            field("source", StringType, false),
            field("input", StringType, false),
            field("caption", StringType, true),
            field("caption_source", StringType, false),
            field("repeats", IntegerType, false),
            field("concept", StringType, false),
            field("reason", StringType, true),
            field("detail", StringType, true),
            field("image", BinaryType, true),
            field("format", StringType, true),
            field("width", IntegerType, true),
            field("height", IntegerType, true),
            field("sha256", StringType, true),
            field("phash", LongType, true),
            field("image_path", StringType, true),
            field("metadata", METADATA, true));

    /** `accepted/`: one row per training image. */
    static final StructType ACCEPTED = struct(
            field("id", StringType, false),
            field("source", StringType, false),
            field("image", BinaryType, false),
            field("format", StringType, false),
            field("width", IntegerType, false),
            field("height", IntegerType, false),
            field("caption", StringType, true),
            field("caption_source", StringType, false),
            field("repeats", IntegerType, false),
            field("concept", StringType, false),
            field("bucket_width", IntegerType, false),
            field("bucket_height", IntegerType, false),
            field("resized_width", IntegerType, false),
            field("resized_height", IntegerType, false),
            field("crop_left", IntegerType, false),
            field("crop_top", IntegerType, false),
            field("sha256", StringType, false),
            field("phash", LongType, false),
            field("image_path", StringType, true),
            field("metadata", METADATA, false));

    /** `rejected/`: one row per input left out, plus the input it came from for the report. */
    static final StructType REJECTED = struct(
            field("source", StringType, false),
            field("reason", StringType, false),
            field("detail", StringType, true),
            field("input", StringType, false));

    /** A duplicate found among accepted images. */
    static final StructType DUPLICATE = struct(
            field("source", StringType, false),
            field("reason", StringType, false),
            field("detail", StringType, true));

    /** Facts of an accepted image that duplicate detection needs. */
    static final StructType DEDUP = struct(
            field("key", StringType, false),
            field("source", StringType, false),
            field("sha256", StringType, false),
            field("phash", LongType, false),
            field("pixels", LongType, false));

    /** An edge between two images within the near-duplicate distance (or byte-identical). */
    static final StructType EDGE = struct(
            field("a", StringType, false), field("a_sha256", StringType, false),
            field("a_phash", LongType, false), field("a_pixels", LongType, false),
            field("b", StringType, false), field("b_sha256", StringType, false),
            field("b_phash", LongType, false), field("b_pixels", LongType, false));

    private static StructType struct(StructField... fields) {
        return new StructType(fields);
    }

    private static StructField field(String name, DataType type, boolean nullable) {
        return new StructField(name, type, nullable, org.apache.spark.sql.types.Metadata.empty());
    }
}
