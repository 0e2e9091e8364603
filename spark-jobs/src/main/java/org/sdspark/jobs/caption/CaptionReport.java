package org.sdspark.jobs.caption;

import com.fasterxml.jackson.core.JsonProcessingException;
import java.util.SortedMap;
import org.sdspark.jobs.ReportJson;

/**
 * The captioning run's {@code caption_report.json}: rows in, rows captioned, rows left as they
 * were, rows newly rejected (by reason), and the speed of the captioning pass.
 */
public record CaptionReport(String input, String output, String model, String mode, long rows, long captioned,
                            long unchanged, long rejected, SortedMap<String, Long> rejectedByReason, int partitions,
                            int batchSize, double captionSeconds, double imagesPerSecond, double wallSeconds) {

    public String toJson() {
        return ReportJson.write(this);
    }

    public static CaptionReport fromJson(String json) throws JsonProcessingException {
        return ReportJson.read(json, CaptionReport.class);
    }
}
