package org.sdspark.jobs.prep;

import java.io.IOException;
import java.util.Iterator;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.catalyst.expressions.GenericRowWithSchema;
import org.apache.spark.util.LongAccumulator;
import org.sdspark.prep.FilterSettings;
import org.sdspark.prep.filter.ImageFacts;
import org.sdspark.prep.filter.QualityFilter;
import org.sdspark.prep.filter.Reason;
import org.sdspark.prep.filter.Rejection;
import org.sdspark.prep.filter.Verdict;

/** Reads each candidate's bytes on the executor and runs the quality filter: CANDIDATE to INSPECTED rows. */
final class Inspector implements MapPartitionsFunction<Row, Row> {

    private final HadoopFiles files;
    private final FilterSettings filter;
    private final boolean requireCaption;
    private final LongAccumulator done;

    Inspector(HadoopFiles files, FilterSettings filter, boolean requireCaption, LongAccumulator done) {
        this.files = files;
        this.filter = filter;
        this.requireCaption = requireCaption;
        this.done = done;
    }

    @Override
    public Iterator<Row> call(Iterator<Row> candidates) {
        QualityFilter quality = new QualityFilter(filter);
        return new Iterator<>() {
            @Override
            public boolean hasNext() {
                return candidates.hasNext();
            }

            @Override
            public Row next() {
                Row inspected = inspect(quality, candidates.next());
                done.add(1);
                return inspected;
            }
        };
    }

    private Row inspect(QualityFilter quality, Row c) {
        String source = c.getAs("source");
        String caption = c.getAs("caption");
        byte[] bytes;
        try {
            bytes = bytes(c);
        } catch (IOException e) {
            return rejected(c, new Rejection(source, Reason.MISSING_FILE, "cannot read: " + e.getMessage()));
        }
        Verdict verdict = quality.inspect(source, bytes, caption, requireCaption);
        if (verdict instanceof Verdict.Rejected r) {
            return rejected(c, r.rejection());
        }
        ImageFacts f = ((Verdict.Accepted) verdict).facts();
        return inspected(source, c.getAs("input"), caption, c.getAs("caption_source"),
                c.getAs("repeats"), c.getAs("concept"), null, null,
                bytes, f.format(), f.width(), f.height(), f.sha256(), f.perceptualHash(),
                c.getAs("image_path"), c.getAs("metadata"));
    }

    private byte[] bytes(Row c) throws IOException {
        byte[] inline = c.getAs("inline");
        if (inline != null) {
            return inline;
        }
        String location = c.getAs("location");
        return location == null ? new byte[0] : files.read(location);
    }

    private static Row rejected(Row c, Rejection r) {
        return inspected(c.getAs("source"), c.getAs("input"), c.getAs("caption"), c.getAs("caption_source"),
                c.getAs("repeats"), c.getAs("concept"), r.reason().code(), r.detail(),
                null, null, null, null, null, null, c.getAs("image_path"), c.getAs("metadata"));
    }

    /**
     * An INSPECTED row that knows its schema: when the next stage is another mapPartitions,
     * Spark hands it these objects as they are, and reading by name needs the schema.
     */
    private static Row inspected(Object... values) {
        return new GenericRowWithSchema(values, PrepSchema.INSPECTED);
    }
}
