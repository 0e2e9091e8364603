package org.sdspark.model.blip;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.pytorch.jni.JniUtils;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.sdspark.model.bert.BertTokenizer;
import org.sdspark.model.generation.GenerationSettings;
import org.sdspark.model.testing.Fixtures;

/**
 * Every case of fixtures/blip/generate.json: transformers' BlipForConditionalGeneration.generate
 * (greedy and beam search, prompts, right padding, repetition penalty, minimum length, length
 * penalty) from the processor's inputs; ids and decoded captions must be identical.
 */
class BlipGenerateParityTest {
    private static NDManager manager;
    private static BlipForConditionalGeneration model;
    private static BlipImageProcessor processor;
    private static BertTokenizer tokenizer;
    private static int threads;

    @BeforeAll
    static void load() throws IOException {
        manager = NDManager.newBaseManager();
        // A tiny model's decoding step is hundreds of kernels too small to split; on a busy machine
        // the intra-op threads' synchronisation makes it many times slower.
        threads = JniUtils.getNumThreads();
        JniUtils.setNumThreads(1);
        model = BlipForConditionalGeneration.load(manager, BlipImageProcessorParityTest.folder(), DataType.FLOAT32);
        processor = BlipImageProcessor.load(BlipImageProcessorParityTest.folder());
        tokenizer = BertTokenizer.load(BlipImageProcessorParityTest.folder());
    }

    @AfterAll
    static void close() {
        JniUtils.setNumThreads(threads);
        model.close();
        manager.close();
    }

    static Stream<Arguments> cases() throws IOException {
        List<Arguments> cases = new ArrayList<>();
        new ObjectMapper().readTree(Fixtures.path("blip/generate.json").toFile())
                .forEach(c -> cases.add(Arguments.of(c.get("name").asText(), c)));
        return cases.stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void generatesTheSameCaptionsAsTransformers(String name, JsonNode c) throws IOException {
        assertThat(c.get("float64_agrees").asBoolean()).as("the reference is not a near-tie").isTrue();
        List<float[]> images = new ArrayList<>();
        for (JsonNode i : c.get("images")) {
            images.add(processor.preprocess(BlipImageProcessorParityTest.image(i.asInt())));
        }
        long[][] promptIds = null;
        int[][] promptMask = null;
        if (!c.get("prompts").isNull()) {
            List<String> prompts = new ArrayList<>();
            c.get("prompts").forEach(p -> prompts.add(p.asText()));
            BertTokenizer.Batch batch = tokenizer.encode(prompts);
            assertThat(batch.ids()).isDeepEqualTo(longRows(c.get("prompt_ids")));
            assertThat(batch.mask()).isDeepEqualTo(intRows(c.get("prompt_mask")));
            promptIds = batch.ids();
            promptMask = batch.mask();
        }
        try (NDManager scope = manager.newSubManager()) {
            NDArray pixels = processor.batch(scope, images);
            long[][] sequences = model.generate(pixels, promptIds, promptMask, settings(c.get("kwargs")));
            assertThat(sequences).isDeepEqualTo(longRows(c.get("sequences")));
            for (int i = 0; i < sequences.length; i++) {
                assertThat(tokenizer.decode(sequences[i], true)).isEqualTo(c.get("captions").get(i).asText());
            }
        }
    }

    static GenerationSettings settings(JsonNode kwargs) {
        int maxNew = kwargs.path("max_new_tokens").asInt(0);
        int maxLength = kwargs.path("max_length").asInt(0);
        return new GenerationSettings(kwargs.path("num_beams").asInt(1), maxNew == 0 && maxLength == 0 ? 20 : maxNew,
                maxLength, kwargs.path("min_length").asInt(0), kwargs.path("repetition_penalty").asDouble(1.0),
                kwargs.path("length_penalty").asDouble(1.0));
    }

    private static long[][] longRows(JsonNode rows) {
        long[][] out = new long[rows.size()][];
        for (int r = 0; r < out.length; r++) {
            out[r] = new long[rows.get(r).size()];
            for (int i = 0; i < out[r].length; i++) {
                out[r][i] = rows.get(r).get(i).asLong();
            }
        }
        return out;
    }

    private static int[][] intRows(JsonNode rows) {
        int[][] out = new int[rows.size()][];
        for (int r = 0; r < out.length; r++) {
            out[r] = new int[rows.get(r).size()];
            for (int i = 0; i < out[r].length; i++) {
                out[r][i] = rows.get(r).get(i).asInt();
            }
        }
        return out;
    }
}
