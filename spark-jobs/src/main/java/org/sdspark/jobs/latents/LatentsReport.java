package org.sdspark.jobs.latents;

import com.fasterxml.jackson.core.JsonProcessingException;
import java.util.SortedMap;
import org.sdspark.jobs.ReportJson;

/**
 * The caching run's {@code latents_report.json}: rows in, rows encoded, rows newly rejected (by
 * reason), and the speed of the encoding pass (images, not counting mirror images).
 */
public record LatentsReport(String input, String output, String vae, long rows, long encoded, long rejected,
                            SortedMap<String, Long> rejectedByReason, int partitions, int batchSize, String dtype,
                            String storage, boolean flip, double encodeSeconds, double imagesPerSecond,
                            double wallSeconds) {

    public String toJson() {
        return ReportJson.write(this);
    }

    public static LatentsReport fromJson(String json) throws JsonProcessingException {
        return ReportJson.read(json, LatentsReport.class);
    }
}
