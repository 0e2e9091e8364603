package org.sdspark.model.pipeline;

import java.util.List;
import org.sdspark.model.scheduler.Samplers;

/**
 * Everything that decides a text-to-image result. Image {@code i} of a run uses seed
 * {@code seed + i}, so any one image can be made again alone. {@code micro} is SDXL's
 * micro-conditioning (ignored by SD 1.x/2.x); null means diffusers' defaults.
 */
public record GenerationSettings(String prompt, String negativePrompt, int steps, double guidance,
                                 String scheduler, long seed, int width, int height, int numImages,
                                 int clipSkip, boolean fp16, double eta, MicroConditioning micro) {
    /** The sampler names ({@link Samplers#NAMES}); labels and class names are resolved to one of these first. */
    public static final List<String> SCHEDULERS = Samplers.NAMES;

    /** Settings with eta 0 (deterministic DDIM) and diffusers' default micro-conditioning. */
    public GenerationSettings(String prompt, String negativePrompt, int steps, double guidance, String scheduler, long seed,
                              int width, int height, int numImages, int clipSkip, boolean fp16) {
        this(prompt, negativePrompt, steps, guidance, scheduler, seed, width, height, numImages, clipSkip, fp16, 0, null);
    }

    public GenerationSettings {
        negativePrompt = negativePrompt == null ? "" : negativePrompt;
        micro = micro == null ? MicroConditioning.DEFAULT : micro;
        require(prompt != null, "prompt is required");
        require(steps > 0, "steps must be positive, got " + steps);
        require(guidance >= 0 && Double.isFinite(guidance), "guidance must be a number >= 0 (<= 1 is off), got " + guidance);
        require(SCHEDULERS.contains(scheduler), "scheduler must be one of " + SCHEDULERS + ", got '" + scheduler + "'");
        require(width > 0 && width % 8 == 0, "width must be a positive multiple of 8, got " + width);
        require(height > 0 && height % 8 == 0, "height must be a positive multiple of 8, got " + height);
        require(numImages > 0, "num-images must be positive, got " + numImages);
        require(clipSkip >= 1, "clip-skip must be >= 1, got " + clipSkip);
        require(eta >= 0 && eta <= 1, "eta must be in [0, 1], got " + eta);
        require(eta == 0 || scheduler.equals("ddim"), "eta is DDIM's noise; " + scheduler + " takes none");
        // the engine's generator takes an int seed
        require(seed >= 0 && seed + numImages - 1 <= Integer.MAX_VALUE,
                "seed must be in 0.." + (Integer.MAX_VALUE - numImages + 1) + ", got " + seed);
    }

    private static void require(boolean ok, String message) {
        if (!ok) {
            throw new IllegalArgumentException(message);
        }
    }

    public int seedOf(int index) {
        return Math.toIntExact(seed + index);
    }

    /** Classifier-free guidance runs the unconditional branch too; diffusers skips it at guidance <= 1. */
    public boolean guided() {
        return guidance > 1;
    }
}
