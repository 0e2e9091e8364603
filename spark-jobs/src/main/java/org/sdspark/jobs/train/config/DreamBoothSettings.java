package org.sdspark.jobs.train.config;

import java.io.Serializable;
import org.sdspark.prep.Block;

/**
 * {@code sdspark.train.dreambooth}: the instance prompt (empty keeps the dataset's captions), and
 * prior preservation's class prompt, class images (a folder, filled up to {@code numClassImages}
 * by generating with the class prompt) and loss weight.
 */
public record DreamBoothSettings(String instancePrompt, boolean priorPreservation, String classPrompt, String classData,
                                 int numClassImages, double priorLossWeight, ClassGeneration generation)
        implements Serializable {

    /** How missing class images are sampled: image i with seed {@code seed + i}. */
    public record ClassGeneration(int steps, double guidance, String scheduler, long seed) implements Serializable {
    }

    public static DreamBoothSettings read(Block train, String output) {
        Block b = train.child("dreambooth");
        boolean prior = b.getBoolean("prior-preservation");
        String classPrompt = b.getString("class-prompt");
        if (prior && classPrompt.isBlank()) {
            throw b.bad("class-prompt", "is required with prior-preservation (e.g. \"a photo of dog\")");
        }
        Block g = b.child("class-generation");
        String classData = b.getString("class-data");
        return new DreamBoothSettings(b.getString("instance-prompt"), prior, classPrompt,
                classData.isBlank() ? output + "/class-images" : classData, prior ? b.positive("num-class-images") : 0,
                b.nonNegative("prior-loss-weight"), new ClassGeneration(g.positive("steps"), g.nonNegative("guidance"),
                g.getString("scheduler"), g.getLong("seed")));
    }
}
