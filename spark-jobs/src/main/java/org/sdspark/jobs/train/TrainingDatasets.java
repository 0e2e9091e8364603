package org.sdspark.jobs.train;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import org.apache.hadoop.conf.Configuration;
import org.sdspark.jobs.latents.CachedLatents;
import org.sdspark.jobs.latents.LatentSource;
import org.sdspark.jobs.train.config.DataSettings;
import org.sdspark.jobs.train.config.DreamBoothSettings;
import org.sdspark.jobs.train.data.PixelSource;
import org.sdspark.jobs.train.data.PreparedDataset;
import org.sdspark.jobs.train.data.SampleSource;
import org.sdspark.prep.plan.EpochPlanner;
import org.sdspark.prep.plan.PlanImage;
import org.sdspark.prep.plan.PlanSettings;
import org.sdspark.prep.tensor.TrainingImageTransform;

/**
 * The prepared datasets a run trains on, as its method reads them: the instance images (every
 * caption replaced by DreamBooth's instance prompt when one is set) and prior preservation's class
 * images (captioned with the class prompt), and how their rows become samples.
 */
record TrainingDatasets(PreparedDataset instances, Optional<PreparedDataset> classes) {

    /** Reads the instances, and the class dataset when the method preserves a prior (the driver made it). */
    static TrainingDatasets read(TrainConfig config, Configuration conf) throws IOException {
        return new TrainingDatasets(instances(config, conf), config.priorPreservation()
                ? Optional.of(PreparedDataset.read(config.classDataset(), conf)
                        .withCaption(config.dreambooth().orElseThrow().classPrompt()))
                : Optional.empty());
    }

    static PreparedDataset instances(TrainConfig config, Configuration conf) throws IOException {
        PreparedDataset instances = PreparedDataset.read(config.dataset(), conf);
        String prompt = config.dreambooth().map(DreamBoothSettings::instancePrompt).orElse("");
        return prompt.isBlank() ? instances : instances.withCaption(prompt);
    }

    EpochPlanner planner(PlanSettings settings) {
        List<PlanImage> classImages = classes.map(PreparedDataset::planImages).orElse(List.of());
        return new EpochPlanner(instances.planImages(), classImages, settings);
    }

    /** Cached latents where the driver chose them, else pixels through the configured resize. */
    static Function<PreparedDataset, SampleSource> sources(TrainConfig config, Configuration conf) {
        if (config.data().latents() == DataSettings.Latents.CACHED) {
            return dataset -> {
                try {
                    return new LatentSource(CachedLatents.open(dataset, conf));
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            };
        }
        TrainingImageTransform transform = new TrainingImageTransform(config.data().resample());
        return dataset -> new PixelSource(dataset, conf, transform);
    }
}
