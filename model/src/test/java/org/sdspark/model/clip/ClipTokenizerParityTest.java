package org.sdspark.model.clip;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
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

/**
 * Every case of fixtures/tokenizer_cases.json, made by transformers' CLIPTokenizer (the tiny
 * vocabulary's also from its tokenizer.json alone), and of fixtures/tokenizer_json_cases.json:
 * the full vocabulary saved by transformers 5 as tokenizer.json only, SD 1 and SD 2 padding.
 */
class ClipTokenizerParityTest {
    private static final Map<String, ClipTokenizer> TOKENIZERS = new HashMap<>();

    static synchronized ClipTokenizer tokenizer(String vocab) {
        return TOKENIZERS.computeIfAbsent(vocab, v -> {
            try {
                return switch (v) {
                    case "full" -> fullVocabulary(ClipTokenizer.END_OF_TEXT);
                    case "full-sd2pad" -> fullVocabulary("!");
                    case "tiny" -> ClipTokenizer.load(Fixtures.path("tiny-sd/tokenizer"));
                    case "tiny-json" -> ClipTokenizer.load(withoutVocabFiles(Fixtures.path("tiny-sd/tokenizer")));
                    case "full-json" -> ClipTokenizer.load(transformers5Folder(null));
                    case "full-json-sd2pad" -> ClipTokenizer.load(transformers5Folder("!"));
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

    // the folder's tokenizer.json and tokenizer_config.json, copied to a folder of their own
    private static Path withoutVocabFiles(Path folder) throws IOException {
        Path copy = Files.createTempDirectory("tokenizer-json-");
        copy.toFile().deleteOnExit();
        for (String name : List.of("tokenizer.json", "tokenizer_config.json")) {
            Files.copy(folder.resolve(name), copy.resolve(name));
            copy.resolve(name).toFile().deleteOnExit();
        }
        return copy;
    }

    // fixtures/clip-tokenizer-json unpacked, with the pad token set in tokenizer_config.json as SD 2 has it
    private static Path transformers5Folder(String pad) throws IOException {
        Path fixture = Fixtures.path("clip-tokenizer-json");
        Path folder = Files.createTempDirectory("clip-tokenizer-json-");
        Path json = folder.resolve("tokenizer.json");
        Path config = folder.resolve("tokenizer_config.json");
        try (InputStream in = new GZIPInputStream(Files.newInputStream(fixture.resolve("tokenizer.json.gz")))) {
            Files.copy(in, json);
        }
        ObjectNode settings = (ObjectNode) new ObjectMapper().readTree(fixture.resolve("tokenizer_config.json").toFile());
        if (pad != null) {
            settings.put("pad_token", pad);
        }
        new ObjectMapper().writeValue(config.toFile(), settings);
        for (Path p : List.of(json, config, folder)) {
            p.toFile().deleteOnExit();
        }
        return folder;
    }

    static Stream<Arguments> cases() throws IOException {
        List<Arguments> cases = new ArrayList<>();
        List<JsonNode> all = new ArrayList<>();
        for (String file : List.of("tokenizer_cases.json", "tokenizer_json_cases.json")) {
            new ObjectMapper().readTree(Fixtures.path(file).toFile()).forEach(all::add);
        }
        for (JsonNode c : all) {
            int[] ids = new int[c.get("ids").size()];
            for (int i = 0; i < ids.length; i++) {
                ids[i] = c.get("ids").get(i).asInt();
            }
            cases.add(Arguments.of(c.get("vocab").asText(), c.get("text").asText(), ids, c.get("tokens").toString()));
            if (c.get("vocab").asText().equals("tiny")) {
                cases.add(Arguments.of("tiny-json", c.get("text").asText(), ids, c.get("tokens").toString()));
            }
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

    /**
     * Text the fixture generator does not cover, tokenized with the full vocabulary by transformers
     * 5.17.0's CLIPTokenizer on the device host (ids up to the end token; SD1 and SD2 padding gave
     * the same ids there): per-character lower-casing (final capital sigma becomes σ), special
     * tokens only when written exactly, control and format characters kept as bytes, Unicode
     * whitespace, NFC, compatibility characters left alone, emoji ZWJ sequences, upper-case contractions.
     */
    static Stream<Arguments> transformersEdgeCases() {
        return Stream.of(
                Arguments.of("\u039f\u0394\u039f\u03a3 \u03a3\u0391\u03a3",
                        new int[] {49406, 138, 123, 138, 112, 138, 123, 139, 481, 139, 225, 138, 109, 139, 481, 49407}),
                Arguments.of("<|ENDOFTEXT|> and <|startoftext|>x", new int[] {49406, 27, 347, 40786, 4160, 91, 285, 537, 49406, 343, 49407}),
                Arguments.of("zero\u200dwidth\u0007bell\u0000nul\ufffdrep",
                        new int[] {49406, 5848, 728, 491, 23571, 451, 3718, 444, 1156, 331, 39802, 6487, 49407}),
                Arguments.of("line\u2028sep\u00a0nbsp\u3000ideo", new int[] {49406, 1148, 10434, 6459, 4393, 1909, 334, 49407}),
                Arguments.of("\u0130stanbul", new int[] {49406, 328, 16384, 11231, 49407}),
                Arguments.of("Cafe\u0301 NFD", new int[] {49406, 15304, 77, 11525, 49407}),
                Arguments.of("\ufb01 ligature \u00bd \u00b2 \u216b",
                        new int[] {49406, 171, 105, 479, 19915, 4490, 33613, 41175, 158, 227, 375, 49407}),
                Arguments.of("\ud83d\udc68\u200d\ud83d\udc69\u200d\ud83d\udc67 family", new int[] {49406, 25023, 26304, 964, 356, 1315, 49407}),
                Arguments.of("don'T WE'LL", new int[] {49406, 847, 713, 649, 1342, 49407}),
                Arguments.of("\u2019curly\u2019 quotes", new int[] {49406, 728, 503, 20795, 728, 503, 5808, 49407}));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("transformersEdgeCases")
    void edgeCasesEqualTransformers(String text, int[] expected) {
        for (String vocab : new String[] {"full", "full-sd2pad"}) {
            ClipTokens tokens = tokenizer(vocab).encode(text);
            assertThat(Arrays.copyOf(tokens.ids(), tokens.length())).as("%s ids of %s", vocab, text).containsExactly(expected);
            assertThat(Arrays.copyOfRange(tokens.ids(), tokens.length(), 77)).containsOnly(tokenizer(vocab).padId());
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
