package org.sdspark.jobs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import org.junit.jupiter.api.Test;

class ReportJsonTest {
    record Counts(String inputPath, long rowsIn, double wallSeconds) {
    }

    @Test
    void recordsAreWrittenWithSnakeCaseKeysAndReadBack() throws JsonProcessingException {
        Counts counts = new Counts("s3a://b/in", 12, 1.5);
        String json = ReportJson.write(counts);
        assertThat(json).contains("\"input_path\" : \"s3a://b/in\"", "\"rows_in\" : 12", "\n");
        assertThat(ReportJson.read(json, Counts.class)).isEqualTo(counts);
    }

    @Test
    void anUnknownKeyFailsUnlessTheReaderSkipsThem() throws JsonProcessingException {
        String newer = "{\"input_path\": \"in\", \"rows_in\": 3, \"wall_seconds\": 0.5, \"added_later\": true}";
        assertThatThrownBy(() -> ReportJson.read(newer, Counts.class))
                .isInstanceOf(UnrecognizedPropertyException.class).hasMessageContaining("added_later");
        assertThat(ReportJson.readIgnoringUnknownKeys(newer, Counts.class)).isEqualTo(new Counts("in", 3, 0.5));
    }
}
