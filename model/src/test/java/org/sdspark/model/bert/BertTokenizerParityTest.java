package org.sdspark.model.bert;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.sdspark.model.testing.Fixtures;

/** fixtures/blip/tokenizer.json: what transformers' BertTokenizer (tokenizers backend) made of each text and id list. */
class BertTokenizerParityTest {

    static BertTokenizer tokenizer() throws IOException {
        return BertTokenizer.load(Fixtures.path("blip/tiny-blip"));
    }

    static Stream<Arguments> encodeCases() throws IOException {
        List<Arguments> cases = new ArrayList<>();
        cases().get("encode").forEach(c -> cases.add(Arguments.of(c.get("text").asText(), c)));
        return cases.stream();
    }

    static Stream<Arguments> decodeCases() throws IOException {
        List<Arguments> cases = new ArrayList<>();
        cases().get("decode_ids").forEach(c -> cases.add(Arguments.of(c.get("ids").toString(), c)));
        return cases.stream();
    }

    private static JsonNode cases() throws IOException {
        return new ObjectMapper().readTree(Fixtures.path("blip/tokenizer.json").toFile());
    }

    @ParameterizedTest(name = "[{index}] \"{0}\"")
    @MethodSource("encodeCases")
    void encodesAndDecodesLikeTransformers(String text, JsonNode expected) throws IOException {
        BertTokenizer tokenizer = tokenizer();
        long[] ids = tokenizer.encode(text);
        assertThat(ids).as("ids of %s", text).containsExactly(longs(expected.get("ids")));
        assertThat(tokenizer.decode(ids, true)).isEqualTo(expected.get("decoded").asText());
        assertThat(tokenizer.decode(ids, false)).isEqualTo(expected.get("decoded_with_special").asText());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("decodeCases")
    void decodesIdListsLikeTransformers(String name, JsonNode expected) throws IOException {
        long[] ids = longs(expected.get("ids"));
        assertThat(tokenizer().decode(ids, true)).isEqualTo(expected.get("skip_special").asText());
        assertThat(tokenizer().decode(ids, false)).isEqualTo(expected.get("keep_special").asText());
    }

    @Test
    void padsBatchesOnTheRightWithTheirMask() throws IOException {
        BertTokenizer.Batch batch = tokenizer().encode(List.of("a photography of", "a dog"));
        assertThat(batch.ids()[1]).containsExactly(2, 37, 127, 3, 0);
        assertThat(batch.mask()[1]).containsExactly(1, 1, 1, 1, 0);
        assertThat(batch.mask()[0]).containsOnly(1);
    }

    private static long[] longs(JsonNode array) {
        long[] out = new long[array.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = array.get(i).asLong();
        }
        return out;
    }
}
