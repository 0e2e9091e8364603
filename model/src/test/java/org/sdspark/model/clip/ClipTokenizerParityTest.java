package org.sdspark.model.clip;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.sdspark.model.testing.Fixtures;

/** Every case of fixtures/tokenizer_cases.json, made by transformers' CLIPTokenizer. */
class ClipTokenizerParityTest {
    private static final Map<String, ClipTokenizer> TOKENIZERS = new HashMap<>();

    static synchronized ClipTokenizer tokenizer(String vocab) {
        return TOKENIZERS.computeIfAbsent(vocab, v -> {
            try {
                return switch (v) {
                    case "full" -> fullVocabulary(ClipTokenizer.END_OF_TEXT);
                    case "full-sd2pad" -> fullVocabulary("!");
                    case "tiny" -> ClipTokenizer.load(Fixtures.path("tiny-sd/tokenizer"));
                    default -> throw new IllegalArgumentException("unknown vocabulary in tokenizer_cases.json: " + v);
                };
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
    }

    private static ClipTokenizer fullVocabulary(String pad) throws IOException {
        Path dir = Fixtures.path("clip-vocab");
        try (InputStream vocab = new GZIPInputStream(Files.newInputStream(dir.resolve("vocab.json.gz")));
             InputStream merges = new GZIPInputStream(Files.newInputStream(dir.resolve("merges.txt.gz")))) {
            return ClipTokenizer.read(vocab, merges, pad, ClipTokenizer.DEFAULT_MAX_LENGTH, dir.toString());
        }
    }

    static Stream<Arguments> cases() throws IOException {
        List<Arguments> cases = new ArrayList<>();
        for (JsonNode c : new ObjectMapper().readTree(Fixtures.path("tokenizer_cases.json").toFile())) {
            int[] ids = new int[c.get("ids").size()];
            for (int i = 0; i < ids.length; i++) {
                ids[i] = c.get("ids").get(i).asInt();
            }
            cases.add(Arguments.of(c.get("vocab").asText(), c.get("text").asText(), ids, c.get("tokens").toString()));
        }
        return cases.stream();
    }

    @ParameterizedTest(name = "[{0}] {1}")
    @MethodSource("cases")
    void idsEqualTransformers(String vocab, String text, int[] expected, String expectedTokens) {
        ClipTokens tokens = tokenizer(vocab).encode(text);
        assertThat(tokens.ids()).as("ids of %s; transformers' tokens %s", text, expectedTokens).containsExactly(expected);
        int pad = tokenizer(vocab).padId();
        int real = tokens.length();
        assertThat(tokens.ids()[real - 1]).as("last real token is the end token").isEqualTo(tokenizer(vocab).eosId());
        for (int i = real; i < expected.length; i++) {
            assertThat(tokens.ids()[i]).isEqualTo(pad);
        }
    }

    @Test
    void fullVocabularyHasClipsSizeAndSpecialIds() {
        ClipTokenizer full = tokenizer("full");
        assertThat(full.vocabSize()).isEqualTo(49408);
        assertThat(full.bosId()).isEqualTo(49406);
        assertThat(full.eosId()).isEqualTo(49407);
        assertThat(tokenizer("full-sd2pad").padId()).isZero();
    }
}
