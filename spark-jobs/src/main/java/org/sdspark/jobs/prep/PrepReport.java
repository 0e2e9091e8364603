package org.sdspark.jobs.prep;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.util.List;
import java.util.SortedMap;

/** `report.json`: what went in, what came out, and why the rest was left out. */
public record PrepReport(String output, long inputs, long accepted, long rejected,
                         SortedMap<String, Long> rejectedByReason, SortedMap<String, Long> acceptedByBucket,
                         List<InputReport> perInput, int partitions, double wallSeconds) {

    /** Counts of one configured input. */
    public record InputReport(String path, String format, long inputs, long accepted, long rejected) {
    }

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

    public static PrepReport fromJson(String json) throws JsonProcessingException {
        return JSON.readValue(json, PrepReport.class);
    }
}
