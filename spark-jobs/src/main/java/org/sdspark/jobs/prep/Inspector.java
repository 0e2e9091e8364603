package org.sdspark.jobs.prep;

import java.io.IOException;
import java.util.Iterator;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.sql.Row;
import org.apache.spark.util.LongAccumulator;
import org.sdspark.prep.FilterSettings;
import org.sdspark.prep.filter.ImageFacts;
import org.sdspark.prep.filter.QualityFilter;
import org.sdspark.prep.filter.Reason;
import org.sdspark.prep.filter.Rejection;
import org.sdspark.prep.filter.Verdict;

/** Reads each candidate's bytes on the executor and runs the quality filter: CANDIDATE to INSPECTED rows. */
final class Inspector implements MapPartitionsFunction<Row, Row> {
    /** CANDIDATE columns an INSPECTED row keeps as they are. */
    private static final String[] CARRIED = {"source", "input", "caption", "caption_source", "repeats", "concept",
        "image_path", "metadata"};

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
        return inspected(c).set("image", bytes).set("format", f.format()).set("width", f.width())
                .set("height", f.height()).set("sha256", f.sha256()).set("phash", f.perceptualHash()).build();
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
        return inspected(c).set("reason", r.reason().code()).set("detail", r.detail()).build();
    }

    /** An INSPECTED row of candidate {@code c}, its image facts and rejection still unset. */
    private static RowBuilder inspected(Row c) {
        return new RowBuilder(PrepSchema.INSPECTED).copy(c, CARRIED);
    }
}
