package org.sdspark.model.blip;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.sdspark.model.nn.StateDict;
import org.sdspark.model.testing.Fixtures;
import org.sdspark.model.testing.Parity;

/** The tiny BLIP's vision encoder and text decoder against transformers 5.17 (float64 references). */
class BlipModelParityTest {

    @Test
    void visionEncoderMatchesTransformers() throws IOException {
        try (NDManager manager = NDManager.newBaseManager();
             StateDict expected = StateDict.load(manager, Fixtures.path("blip/vision.safetensors"));
             BlipForConditionalGeneration model = BlipForConditionalGeneration.load(manager, BlipImageProcessorParityTest.folder(),
                     DataType.FLOAT32)) {
            Map<String, NDArray> t = expected.tensors();
            NDArray pixels = t.get("pixel_values");
            List<NDArray> states = model.visionHiddenStates(pixels);
            assertThat(states).hasSize(model.config().vision().numHiddenLayers() + 1);
            for (int i = 0; i < states.size(); i++) {
                Parity.assertClose("blip vision hidden_states." + i, states.get(i), t.get("hidden_states_" + i));
            }
            Parity.assertClose("blip vision last_hidden_state", model.imageEmbeds(pixels), t.get("last_hidden_state"));
        }
    }

    @Test
    void textDecoderMatchesTransformersWithAndWithoutPadding() throws IOException {
        try (NDManager manager = NDManager.newBaseManager();
             StateDict expected = StateDict.load(manager, Fixtures.path("blip/decoder.safetensors"));
             BlipForConditionalGeneration model = BlipForConditionalGeneration.load(manager, BlipImageProcessorParityTest.folder(),
                     DataType.FLOAT32)) {
            Map<String, NDArray> t = expected.tensors();
            Parity.assertClose("blip image_embeds", model.imageEmbeds(t.get("pixel_values")), t.get("image_embeds"));
            NDArray ids = t.get("input_ids");
            int[][] mask = rows(t.get("attention_mask"));
            assertThat(mask[1]).contains(0);
            Parity.assertClose("blip decoder logits (padded)", model.decoderLogits(ids, mask, t.get("image_embeds")), t.get("logits"));
            int[][] ones = rows(t.get("attention_mask").onesLike());
            Parity.assertClose("blip decoder logits (no mask)", model.decoderLogits(ids, ones, t.get("image_embeds")),
                    t.get("logits_unmasked"));
        }
    }

    @Test
    void halfPrecisionStaysCloseToTheReference() throws IOException {
        try (NDManager manager = NDManager.newBaseManager();
             StateDict expected = StateDict.load(manager, Fixtures.path("blip/decoder.safetensors"));
             BlipForConditionalGeneration model = BlipForConditionalGeneration.load(manager, BlipImageProcessorParityTest.folder(),
                     DataType.FLOAT16)) {
            Map<String, NDArray> t = expected.tensors();
            NDArray embeds = model.imageEmbeds(t.get("pixel_values"));
            assertThat(embeds.getDataType()).isEqualTo(DataType.FLOAT16);
            double visionErr = Parity.relativeError(embeds, t.get("image_embeds"));
            double logitsErr = Parity.relativeError(model.decoderLogits(t.get("input_ids"), rows(t.get("attention_mask")), embeds),
                    t.get("logits"));
            System.out.printf("parity %-40s rel.err %.3e / %.3e%n", "blip fp16 image_embeds / logits", visionErr, logitsErr);
            assertThat(visionErr).isLessThan(5e-3);
            assertThat(logitsErr).isLessThan(5e-3);
        }
    }

    static int[][] rows(NDArray matrix) {
        long[] flat = matrix.toType(DataType.INT64, false).toLongArray();
        int cols = (int) matrix.getShape().get(1);
        int[][] out = new int[flat.length / cols][cols];
        for (int i = 0; i < flat.length; i++) {
            out[i / cols][i % cols] = (int) flat[i];
        }
        return out;
    }
}
