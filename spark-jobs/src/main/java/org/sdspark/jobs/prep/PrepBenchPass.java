package org.sdspark.jobs.prep;

import static org.apache.spark.sql.types.DataTypes.IntegerType;
import static org.apache.spark.sql.types.DataTypes.LongType;
import static org.apache.spark.sql.types.DataTypes.StringType;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.StructType;
import org.sdspark.prep.BucketSettings;
import org.sdspark.prep.InputFormat;
import org.sdspark.prep.InputSpec;
import org.sdspark.prep.PrepSettings;
import org.sdspark.prep.bucket.AspectRatioBuckets;
import org.sdspark.prep.bucket.BucketFit;

/**
 * sdspark's side of `bench prep`: the image pass of the prep job on a folder (plan and read
 * captions, read every file, inspect it, assign its bucket) with Spark local[K], timed from the
 * plan to the last verdict. Duplicate detection and writing are left out, as in the reference.
 */
final class PrepBenchPass {

    private static final StructType VERDICT = new StructType()
            .add("source", StringType, false).add("reason", StringType, true)
            .add("width", IntegerType, true).add("height", IntegerType, true)
            .add("phash", LongType, true).add("bucket", StringType, true);

    private final SparkSession spark;
    private final PrepSettings settings;
    private final String folder;

    PrepBenchPass(SparkSession spark, PrepSettings settings, String folder) {
        this.spark = spark;
        this.settings = settings;
        this.folder = folder;
    }

    /** Inspects the first {@code limit} images of the folder (all when 0). */
    BenchOutcome run(int limit) throws IOException {
        int cores = spark.sparkContext().defaultParallelism();
        HadoopFiles files = HadoopFiles.of(spark);
        InputSpec spec = new InputSpec(folder, InputFormat.FOLDER, "", settings.ingest().captionColumn(),
                settings.ingest().imageColumn());
        long start = System.nanoTime();
        Dataset<Row> candidates = new SourcePlanner(spark, files, settings.ingest()).plan(spec).candidates();
        if (limit > 0) candidates = candidates.limit(limit);
        var done = spark.sparkContext().longAccumulator("images inspected");
        var rows = candidates.repartition(cores * 4)
                .mapPartitions(new Inspector(files, settings.filter(), settings.ingest().requireCaption(), done),
                        Encoders.row(PrepSchema.INSPECTED))
                .mapPartitions(new Verdicts(settings.bucket()), Encoders.row(VERDICT))
                .collectAsList();
        double seconds = (System.nanoTime() - start) / 1e9;
        Map<String, BenchOutcome.Verdict> verdicts = new LinkedHashMap<>();
        for (Row r : rows) {
            String source = r.getAs("source");
            verdicts.put(source.substring(source.lastIndexOf('/') + 1), new BenchOutcome.Verdict(r.getAs("reason"),
                    orZero(r.<Integer>getAs("width")), orZero(r.<Integer>getAs("height")),
                    orZero(r.<Long>getAs("phash")), r.getAs("bucket")));
        }
        return new BenchOutcome("sdspark", rows.size(), seconds, cores, peakRssMb(), verdicts);
    }

    private static int orZero(Integer value) {
        return value == null ? 0 : value;
    }

    private static long orZero(Long value) {
        return value == null ? 0 : value;
    }

    /** The JVM's peak resident memory (Linux), or its peak heap elsewhere. */
    static double peakRssMb() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmHWM:")) return Long.parseLong(line.replaceAll("\\D", "")) / 1024.0;
            }
        } catch (IOException | RuntimeException e) {
            // not Linux: fall through
        }
        return ManagementFactory.getMemoryPoolMXBeans().stream()
                .filter(p -> p.getType() == MemoryType.HEAP)
                .mapToLong(p -> p.getPeakUsage().getUsed()).sum() / 1048576.0;
    }

    /** INSPECTED rows to verdicts with the bucket an accepted image is assigned, as the Bucketer does. */
    private static final class Verdicts implements MapPartitionsFunction<Row, Row> {
        private final BucketSettings buckets;

        Verdicts(BucketSettings buckets) {
            this.buckets = buckets;
        }

        @Override
        public Iterator<Row> call(Iterator<Row> inspected) {
            AspectRatioBuckets assigner = AspectRatioBuckets.of(buckets);
            return new Iterator<>() {
                @Override
                public boolean hasNext() {
                    return inspected.hasNext();
                }

                @Override
                public Row next() {
                    Row r = inspected.next();
                    RowBuilder verdict = new RowBuilder(VERDICT).copy(r, "source", "reason");
                    if (r.getAs("reason") != null) {
                        return verdict.build();
                    }
                    BucketFit fit = assigner.assign(r.getAs("width"), r.getAs("height"));
                    return verdict.copy(r, "width", "height", "phash").set("bucket", fit.bucket().toString()).build();
                }
            };
        }
    }
}
