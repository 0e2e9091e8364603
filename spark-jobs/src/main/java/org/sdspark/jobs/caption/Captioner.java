package org.sdspark.jobs.caption;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.util.LongAccumulator;
import org.sdspark.model.blip.BlipCaptioner;
import org.sdspark.model.generation.GenerationSettings;
import org.sdspark.prep.CaptionSettings;
import org.sdspark.prep.filter.Reason;
import org.sdspark.prep.image.ImageDecoder;

/**
 * Captions one partition in batches: rows the mode leaves alone pass through; the others are
 * decoded and captioned together, and a row whose image cannot be decoded comes out with a
 * reason instead of stopping the job.
 */
final class Captioner implements MapPartitionsFunction<Row, Row> {
    static final String SOURCE = "blip";

    private final CaptionSettings settings;
    private final StructType schema;
    private final LongAccumulator done;

    Captioner(CaptionSettings settings, StructType schema, LongAccumulator done) {
        this.settings = settings;
        this.schema = schema;
        this.done = done;
    }

    @Override
    public Iterator<Row> call(Iterator<Row> rows) {
        return new Iterator<>() {
            private Iterator<Row> batch = List.<Row>of().iterator();

            @Override
            public boolean hasNext() {
                if (!batch.hasNext() && rows.hasNext()) {
                    batch = caption(take(rows)).iterator();
                }
                return batch.hasNext();
            }

            @Override
            public Row next() {
                if (!hasNext()) {
                    throw new NoSuchElementException();
                }
                return batch.next();
            }
        };
    }

    /** Up to batch-size rows that need a caption, and the rows that do not met on the way. */
    private List<Row> take(Iterator<Row> rows) {
        List<Row> taken = new ArrayList<>();
        int toCaption = 0;
        while (rows.hasNext() && toCaption < settings.batchSize()) {
            Row row = rows.next();
            taken.add(row);
            if (settings.mode().captions(row.getAs("caption"))) {
                toCaption++;
            }
        }
        return taken;
    }

    private List<Row> caption(List<Row> rows) {
        List<Row> out = new ArrayList<>(rows.size());
        List<Integer> positions = new ArrayList<>();
        List<float[]> pixels = new ArrayList<>();
        BlipCaptioner model = null;
        for (Row row : rows) {
            out.add(CaptionRows.copy(schema, row, Map.of()));
            if (!settings.mode().captions(row.getAs("caption"))) {
                continue;
            }
            if (model == null) {
                model = ExecutorModels.forTask(settings.model(), settings.dtype());
            }
            try {
                pixels.add(model.preprocess(decode(row)));
                positions.add(out.size() - 1);
            } catch (IOException | RuntimeException e) {
                // A decoder may fail with any exception on corrupt bytes; the row is reported, the job goes on.
                out.set(out.size() - 1, CaptionRows.copy(schema, row, Map.of(CaptionRows.REASON,
                        Reason.UNDECODABLE.code(), CaptionRows.DETAIL, "captioning: " + (e instanceof IOException ? e.getMessage() : e.toString()))));
                done.add(1);
            }
        }
        if (positions.isEmpty()) {
            return out;
        }
        List<String> captions = model.caption(pixels, settings.prompt(), generation());
        for (int i = 0; i < positions.size(); i++) {
            Row row = rows.get(positions.get(i));
            String merged = settings.mode().merge(row.getAs("caption"), captions.get(i), settings.separator());
            out.set(positions.get(i), CaptionRows.copy(schema, row, Map.of("caption", merged, "caption_source", SOURCE)));
        }
        done.add(positions.size());
        return out;
    }

    private static BufferedImage decode(Row row) throws IOException {
        byte[] bytes = row.getAs("image");
        if (bytes == null || bytes.length == 0) {
            throw new IOException("the row has no image bytes");
        }
        return ImageDecoder.decode(bytes);
    }

    private GenerationSettings generation() {
        return new GenerationSettings(settings.numBeams(), settings.maxNewTokens(), 0, settings.minLength(),
                settings.repetitionPenalty(), settings.lengthPenalty());
    }
}
