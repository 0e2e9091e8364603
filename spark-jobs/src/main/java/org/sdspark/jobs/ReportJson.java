package org.sdspark.jobs;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.SerializationFeature;

/**
 * The JSON files a stage writes beside its tables ({@code report.json}, {@code caption_report.json},
 * {@code latents.json}, ...): records with snake_case keys, indented for people to read.
 */
public final class ReportJson {
    private static final ObjectMapper STRICT = new ObjectMapper()
            .setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
            .enable(SerializationFeature.INDENT_OUTPUT);
    private static final ObjectMapper LENIENT = STRICT.copy().disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    private ReportJson() {
    }

    public static String write(Record value) {
        try {
            return STRICT.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a record of strings and numbers always serialises", e);
        }
    }

    /** Fails on a key the record does not have. */
    public static <T extends Record> T read(String json, Class<T> type) throws JsonProcessingException {
        return STRICT.readValue(json, type);
    }

    /** Skips keys the record does not have: for files that later versions may write with more keys. */
    public static <T extends Record> T readIgnoringUnknownKeys(String json, Class<T> type) throws JsonProcessingException {
        return LENIENT.readValue(json, type);
    }
}
