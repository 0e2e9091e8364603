package org.sdspark.model.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.sdspark.model.checkpoint.TextEncoderKeyMap;
import org.sdspark.model.nn.StateDict;

/** Bit-exact comparisons of pipelines, their weights and the files they save. */
final class PipelineAssertions {
    private PipelineAssertions() {
    }

    /** The same keys with the same shapes and values; returns how many tensors were compared. */
    static int assertIdentical(String what, StateDict actual, StateDict expected) {
        assertThat(actual.tensors().keySet()).as(what + " keys").containsExactlyInAnyOrderElementsOf(expected.tensors().keySet());
        expected.tensors().forEach((k, v) -> {
            NDArray a = actual.tensors().get(k);
            assertThat(a.getShape()).as(what + " " + k).isEqualTo(v.getShape());
            assertThat(a.contentEquals(v)).as(what + " " + k).isTrue();
        });
        return expected.tensors().size();
    }

    /** {@link #assertIdentical} for every component; returns how many tensors were compared. */
    static int assertAllIdentical(StableDiffusionPipeline actual, StableDiffusionPipeline expected) {
        int n = assertIdentical("unet", actual.unet().stateDict(), expected.unet().stateDict())
                + assertIdentical("vae", actual.vae().stateDict(), expected.vae().stateDict())
                + assertIdentical("text_encoder", actual.textEncoder().weights(), expected.textEncoder().weights());
        assertThat(actual.textEncoder2() == null).as("text_encoder_2 in one pipeline only").isEqualTo(expected.textEncoder2() == null);
        return expected.textEncoder2() == null ? n
                : n + assertIdentical("text_encoder_2", actual.textEncoder2().weights(), expected.textEncoder2().weights());
    }

    /**
     * A text encoder whose keys are {@code expected}'s under the {@code text_model.} level, which
     * transformers 5 saves CLIPTextModel without and checkpoints have; the same values.
     */
    static void assertIdenticalUnderTextModel(String what, StateDict actual, StateDict expected) {
        Map<String, NDArray> canonical = new LinkedHashMap<>();
        expected.tensors().forEach((k, v) -> canonical.put(TextEncoderKeyMap.canonical(k), v));
        assertThat(actual.tensors().keySet()).as(what + " keys").containsExactlyInAnyOrderElementsOf(canonical.keySet());
        canonical.forEach((k, v) -> assertThat(actual.tensors().get(k).contentEquals(v)).as(what + " " + k).isTrue());
    }

    /**
     * Saves {@code folder}'s pipeline as a diffusers folder {@code dir/first}, loads that, checks
     * it equals the original, saves it again to {@code dir/second} and checks the two saves are
     * the same bytes; returns the first save's files.
     */
    static Map<String, byte[]> assertDiffusersRoundTripIsBitExact(NDManager manager, Path folder, Path dir) throws IOException {
        Path first = dir.resolve("first");
        Path second = dir.resolve("second");
        try (StableDiffusionPipeline p = StableDiffusionPipeline.load(manager, folder)) {
            p.saveDiffusers(first);
            try (StableDiffusionPipeline back = StableDiffusionPipeline.load(manager, first)) {
                assertAllIdentical(back, p);
                back.saveDiffusers(second);
            }
        }
        Map<String, byte[]> saved = PipelineFolders.tree(first);
        assertSameBytes(PipelineFolders.tree(second), saved);
        return saved;
    }

    /**
     * {@link #assertDiffusersRoundTripIsBitExact} for single files: {@code single} (loaded with
     * {@code options}) saved to {@code dir/first.safetensors} loads back without a config to the
     * same tensors and saves to the same bytes; returns the first save.
     */
    static Path assertSingleFileRoundTripIsBitExact(NDManager manager, Path single, LoadOptions options, Path dir)
            throws IOException {
        Path first = dir.resolve("first.safetensors");
        Path second = dir.resolve("second.safetensors");
        try (StableDiffusionPipeline p = StableDiffusionPipeline.load(manager, single, options)) {
            p.saveSingleFile(first);
            try (StableDiffusionPipeline back = StableDiffusionPipeline.load(manager, first)) {
                assertAllIdentical(back, p);
                back.saveSingleFile(second);
            }
        }
        assertThat(Files.readAllBytes(second)).isEqualTo(Files.readAllBytes(first));
        return first;
    }

    static void assertSameBytes(Map<String, byte[]> actual, Map<String, byte[]> expected) {
        assertThat(actual.keySet()).containsExactlyElementsOf(expected.keySet());
        expected.forEach((k, v) -> assertThat(actual.get(k)).as(k).isEqualTo(v));
    }
}
