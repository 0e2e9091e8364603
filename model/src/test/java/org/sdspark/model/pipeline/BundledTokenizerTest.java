package org.sdspark.model.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.sdspark.model.checkpoint.CheckpointFamily;
import org.sdspark.model.clip.ClipTokenizer;
import org.sdspark.model.testing.Fixtures;

class BundledTokenizerTest {

    @Test
    void sd1AndSd2TokenizersMatchTransformersOnEveryFullVocabularyCase() throws IOException {
        ClipTokenizer sd1 = tokenizer(CheckpointFamily.SD1);
        ClipTokenizer sd2 = tokenizer(CheckpointFamily.SD2);
        assertThat(sd1.vocabSize()).isEqualTo(49408);
        int checked = 0;
        for (JsonNode c : new ObjectMapper().readTree(Fixtures.path("tokenizer_cases.json").toFile())) {
            ClipTokenizer t = switch (c.get("vocab").asText()) {
                case "full" -> sd1;
                case "full-sd2pad" -> sd2;
                default -> null;
            };
            if (t != null) {
                int[] expected = new ObjectMapper().convertValue(c.get("ids"), int[].class);
                assertThat(t.encode(c.get("text").asText()).ids()).as(c.get("text").asText()).isEqualTo(expected);
                checked++;
            }
        }
        assertThat(checked).isGreaterThan(10);
        assertThat(Arrays.stream(sd2.encode("a dog").ids()).skip(4).distinct()).containsExactly(0);
    }

    private static ClipTokenizer tokenizer(CheckpointFamily family) throws IOException {
        java.nio.file.Path dir = BundledTokenizer.files(family).materialise();
        try {
            return ClipTokenizer.load(dir.resolve(PipelineFiles.TOKENIZER));
        } finally {
            PipelineFiles.delete(dir);
        }
    }
}
