package org.sdspark.jobs.train.config;

import java.io.Serializable;
import java.util.List;
import org.sdspark.model.pipeline.GenerationSettings;
import org.sdspark.model.scheduler.Samplers;
import org.sdspark.prep.Block;

/**
 * {@code sdspark.train.validation}: prompts sampled with the model being trained every
 * {@code every} steps and at the end (none without prompts). Image j of a prompt uses seed
 * {@code seed + j} every time, so grids of successive steps compare the same noise. A size of 0
 * is the model's own.
 */
public record ValidationSettings(List<String> prompts, int every, String negativePrompt, int imagesPerPrompt, int steps,
                                 double guidance, String scheduler, long seed, int width, int height) implements Serializable {

    public ValidationSettings {
        prompts = List.copyOf(prompts);
    }

    public static ValidationSettings read(Block train) {
        Block b = train.child("validation");
        String scheduler = b.getString("scheduler");
        if (!Samplers.NAMES.contains(scheduler)) {
            throw b.bad("scheduler", "is '" + scheduler + "'; one of " + String.join(", ", Samplers.NAMES));
        }
        int width = b.atLeast("width", 0);
        int height = b.atLeast("height", 0);
        if (width % 8 != 0 || height % 8 != 0) {
            throw b.bad(width % 8 != 0 ? "width" : "height", "must be a multiple of 8 (or 0: the model's size)");
        }
        return new ValidationSettings(b.getStringList("prompts"), b.atLeast("every", 0), b.getString("negative-prompt"),
                b.positive("images-per-prompt"), b.positive("steps"), b.nonNegative("guidance"), scheduler, b.atLeast("seed", 0),
                width, height);
    }

    public boolean enabled() {
        return !prompts.isEmpty();
    }

    /** Whether the grid is due after {@code taken} steps of a run of {@code total}. */
    public boolean due(long taken, long total) {
        return enabled() && (taken == total || every > 0 && taken % every == 0);
    }

    /** Image {@code j} of {@code prompt} at the given size. */
    public GenerationSettings generation(String prompt, int j, int modelWidth, int modelHeight) {
        return new GenerationSettings(prompt, negativePrompt, steps, guidance, scheduler, seed + j,
                width == 0 ? modelWidth : width, height == 0 ? modelHeight : height, 1, 1, false);
    }
}
