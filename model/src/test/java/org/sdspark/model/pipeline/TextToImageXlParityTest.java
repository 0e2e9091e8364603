package org.sdspark.model.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.sdspark.model.nn.StateDict;
import org.sdspark.model.scheduler.Sampler;
import org.sdspark.model.scheduler.Samplers;
import org.sdspark.model.testing.Fixtures;
import org.sdspark.model.testing.Parity;

/**
 * The tiny SDXL end to end against diffusers' StableDiffusionXLPipeline (pipeline_sdxl/*.safetensors,
 * 4 Euler steps at 64x64 from fixed latents): no negative prompt (zero unconditional embeddings),
 * a negative prompt with micro-conditioning, and clip skip (which diffusers applies to the prompt only).
 */
class TextToImageXlParityTest {
    private static NDManager manager;
    private static StableDiffusionPipeline pipeline;

    @BeforeAll
    static void load() throws IOException {
        manager = NDManager.newBaseManager();
        pipeline = StableDiffusionPipeline.load(manager, Fixtures.path("tiny-sdxl"));
    }

    @AfterAll
    static void close() {
        pipeline.close();
        manager.close();
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({
        // case, negative prompt, guidance, clip skip (A1111), original w, h, crop left, top, target w, h (0: defaults)
        "euler,           '',     5.0, 1,   0,  0,  0, 0,  0,  0",
        "euler_negative,  blurry, 7.5, 1, 128, 96, 16, 8, 64, 64",
        "euler_clip_skip, blurry, 5.0, 2,   0,  0,  0, 0,  0,  0",
    })
    void matchesDiffusers(String name, String negative, double guidance, int clipSkip, int ow, int oh, int cropLeft,
                          int cropTop, int tw, int th) throws IOException {
        MicroConditioning micro = ow == 0 ? null : new MicroConditioning(new MicroConditioning.Size(ow, oh), cropLeft,
                cropTop, new MicroConditioning.Size(tw, th));
        GenerationSettings settings = new GenerationSettings("a photo of sks dog", negative, 4, guidance, "euler", 0, 64, 64,
                1, clipSkip, false, 0, micro);
        TextToImage t2i = new TextToImage(pipeline);
        try (NDManager m = manager.newSubManager();
             StateDict expected = StateDict.load(m, Fixtures.path("pipeline_sdxl/" + name + ".safetensors"));
             Sampler s = Samplers.create("euler", pipeline.configs().scheduler(), 4)) {
            Map<String, NDArray> e = expected.tensors();
            assertThat(pipeline.configs().tokenizer().encode(settings.prompt()).longIds()).containsExactly(e.get("prompt_ids").toLongArray());
            assertThat(pipeline.configs().xl().tokenizer2().encode(settings.prompt()).longIds())
                    .containsExactly(e.get("prompt_ids_2").toLongArray());
            Conditioning cond = t2i.encode(m, settings, false);
            Conditioning uncond = t2i.encode(m, settings, true);
            String p = "pipeline sdxl " + name + " ";
            Parity.assertClose(p + "prompt_embeds", cond.promptEmbeds(), e.get("prompt_embeds"));
            Parity.assertClose(p + "pooled_prompt_embeds", cond.added().textEmbeds(), e.get("pooled_prompt_embeds"));
            Parity.assertClose(p + "negative_prompt_embeds", uncond.promptEmbeds(), e.get("negative_prompt_embeds"));
            Parity.assertClose(p + "negative_pooled_prompt_embeds", uncond.added().textEmbeds(),
                    e.get("negative_pooled_prompt_embeds"));
            if (negative.isEmpty()) {
                assertThat(uncond.promptEmbeds().abs().max().getFloat()).isZero();
            }
            NDArray timeIds = NDArrays.concat(new NDList(uncond.added().timeIds(), cond.added().timeIds()));
            assertThat(timeIds.toFloatArray()).containsExactly(e.get("unet.add_time_ids").toFloatArray());

            List<Integer> steps = new ArrayList<>();
            NDArray latents = t2i.denoise(e.get("latents_init"), cond, uncond, s, guidance, (k, n, x) -> {
                steps.add(k);
                Parity.assertClose(p + "step." + (k - 1) + ".latents", x, e.get("step." + (k - 1) + ".latents"));
            });
            assertThat(steps).containsExactly(1, 2, 3, 4);
            Parity.assertClose(p + "latents_final", latents, e.get("latents_final"));
            NDArray raw = pipeline.vae().decode(pipeline.vae().unscale(latents));
            Parity.assertClose(p + "image_raw", raw, e.get("image_raw"));
            Parity.assertClose(p + "image", t2i.decode(latents).transpose(0, 2, 3, 1), e.get("image"));
        }
    }
}
