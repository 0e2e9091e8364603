package org.sdspark.jobs.latents;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.util.SortedMap;

/**
 * The caching run's {@code latents_report.json}: rows in, rows encoded, rows newly rejected (by
 * reason), and the speed of the encoding pass (images, not counting mirror images).
 */
public record LatentsReport(String input, String output, String vae, long rows, long encoded, long rejected,
                            SortedMap<String, Long> rejectedByReason, int partitions, int batchSize, String dtype,
                            String storage, boolean flip, double encodeSeconds, double imagesPerSecond,
                            double wallSeconds) {

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

    public static LatentsReport fromJson(String json) throws JsonProcessingException {
        return JSON.readValue(json, LatentsReport.class);
    }
}
