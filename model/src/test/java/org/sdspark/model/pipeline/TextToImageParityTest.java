package org.sdspark.model.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sdspark.model.nn.StateDict;
import org.sdspark.model.scheduler.Sampler;
import org.sdspark.model.scheduler.Samplers;
import org.sdspark.model.testing.Fixtures;
import org.sdspark.model.testing.Parity;

/** The tiny pipeline end to end against diffusers' StableDiffusionPipeline (pipeline/*.safetensors). */
class TextToImageParityTest {
    private static NDManager manager;
    private static StableDiffusionPipeline pipeline;

    @TempDir
    Path dir;

    @BeforeAll
    static void load() throws IOException {
        manager = NDManager.newBaseManager();
        pipeline = StableDiffusionPipeline.load(manager, Fixtures.path("tiny-sd"));
    }

    @AfterAll
    static void close() {
        pipeline.close();
        manager.close();
    }

    @Test
    void ddimMatchesDiffusers() throws IOException {
        assertParity("ddim", "ddim");
    }

    @Test
    void eulerMatchesDiffusers() throws IOException {
        assertParity("euler", "euler");
    }

    private void assertParity(String fixture, String sampler) throws IOException {
        TextToImage t2i = new TextToImage(pipeline);
        try (NDManager m = manager.newSubManager();
             StateDict expected = StateDict.load(m, Fixtures.path("pipeline/" + fixture + ".safetensors"));
             Sampler s = Samplers.create(sampler, pipeline.configs().scheduler(), 4)) {
            var e = expected.tensors();
            assertThat(pipeline.configs().tokenizer().encode("a photo of sks dog").longIds())
                    .containsExactly(e.get("prompt_ids").toLongArray());
            assertThat(pipeline.configs().tokenizer().encode("blurry").longIds())
                    .containsExactly(e.get("negative_ids").toLongArray());
            NDArray cond = t2i.encodePrompt(m, "a photo of sks dog", 0);
            NDArray uncond = t2i.encodePrompt(m, "blurry", 0);
            Parity.assertClose("pipeline " + fixture + " prompt_embeds", cond, e.get("prompt_embeds"));
            Parity.assertClose("pipeline " + fixture + " negative_embeds", uncond, e.get("negative_embeds"));
            List<Integer> steps = new ArrayList<>();
            NDArray latents = t2i.denoise(e.get("latents_init"), new Conditioning(cond, null), new Conditioning(uncond, null),
                    s, 7.5, (k, n, x) -> {
                steps.add(k);
                Parity.assertClose("pipeline " + fixture + " step." + (k - 1) + ".latents", x, e.get("step." + (k - 1) + ".latents"));
            });
            assertThat(steps).containsExactly(1, 2, 3, 4);
            Parity.assertClose("pipeline " + fixture + " latents_final", latents, e.get("latents_final"));
            NDArray image = t2i.decode(latents);
            NDArray raw = pipeline.vae().decode(pipeline.vae().unscale(latents));
            Parity.assertClose("pipeline " + fixture + " image_raw", raw, e.get("image_raw"));
            Parity.assertClose("pipeline " + fixture + " image", image.transpose(0, 2, 3, 1), e.get("image"));
        }
    }

    @Test
    void sameSeedGivesSamePngBytesAndNoArraysLeakOverSteps() throws IOException {
        TextToImage t2i = new TextToImage(pipeline);
        GenerationSettings settings = new GenerationSettings("a photo of sks dog", null, 3, 7.5, "euler-a", 7, 64, 64,
                2, 1, false);
        try (NDManager m = manager.newSubManager()) {
            List<Integer> liveAfterStep = new ArrayList<>();
            List<RgbImage> first = t2i.generate(m, settings,
                    (image, images, step, steps) -> liveAfterStep.add(liveArrays(m)));
            List<RgbImage> second = t2i.generate(m, settings, StepListener.NONE);
            GenerationOutput.write(dir.resolve("a"), "tiny", settings, first);
            GenerationOutput.write(dir.resolve("b"), "tiny", settings, second);
            for (String name : List.of("000-seed7.png", "001-seed8.png", "grid.png")) {
                assertThat(Files.readAllBytes(dir.resolve("b").resolve(name))).as(name)
                        .isEqualTo(Files.readAllBytes(dir.resolve("a").resolve(name)));
            }
            assertThat(first.get(0).pixels()).isNotEqualTo(first.get(1).pixels());
            // the same number of live arrays after every step of an image: nothing piles up
            assertThat(liveAfterStep.subList(0, 3)).containsOnly(liveAfterStep.get(0));
            assertThat(liveAfterStep.subList(3, 6)).containsOnly(liveAfterStep.get(3));
            assertThat(liveArrays(m)).isZero();
        }
    }

    // getManagedArrays walks the sub-managers too
    private static int liveArrays(NDManager m) {
        return m.getManagedArrays().size();
    }
}
