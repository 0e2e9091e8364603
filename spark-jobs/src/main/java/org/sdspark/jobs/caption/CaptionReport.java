package org.sdspark.jobs.caption;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.util.SortedMap;

/**
 * The captioning run's {@code caption_report.json}: rows in, rows captioned, rows left as they
 * were, rows newly rejected (by reason), and the speed of the captioning pass.
 */
public record CaptionReport(String input, String output, String model, String mode, long rows, long captioned,
                            long unchanged, long rejected, SortedMap<String, Long> rejectedByReason, int partitions,
                            int batchSize, double captionSeconds, double imagesPerSecond, double wallSeconds) {

    private static final ObjectMapper JSON = new ObjectMapper()
            .setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
            .enable(SerializationFeature.INDENT_OUTPUT);

    public String toJson() {
        try {
            return JSON.writeValueAsString(this);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a report of strings and numbers always serialises", e);
        }
    }

    public static CaptionReport fromJson(String json) throws JsonProcessingException {
        return JSON.readValue(json, CaptionReport.class);
    }
}
