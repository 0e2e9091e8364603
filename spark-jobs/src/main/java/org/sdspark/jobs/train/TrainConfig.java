package org.sdspark.jobs.train;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.util.Optional;
import org.sdspark.jobs.train.config.DataSettings;
import org.sdspark.jobs.train.config.DreamBoothSettings;
import org.sdspark.jobs.train.config.ExportSettings;
import org.sdspark.jobs.train.config.LoraSettings;
import org.sdspark.jobs.train.config.MethodKeys;
import org.sdspark.jobs.train.config.TextualInversionSettings;
import org.sdspark.jobs.train.config.TrainMethod;
import org.sdspark.jobs.train.config.TrainSettingsReader;
import org.sdspark.jobs.train.config.ValidationSettings;
import org.sdspark.jobs.train.distributed.DistributedSettings;
import org.sdspark.model.train.ModelSetup;
import org.sdspark.model.train.TrainingSettings;
import org.sdspark.prep.Block;
import org.sdspark.prep.plan.PlanSettings;

/**
 * {@code sdspark.train}, read once and validated: the method, what it trains on (a model every
 * executor can read, a prepared dataset), the loop's settings ({@link TrainingSettings}: steps,
 * schedule, optimizer, precision, loss, EMA, checkpoints), how images reach the loop, the method's
 * own block (LoRA, DreamBooth, textual inversion; empty for the others), validation images, exports
 * and distribution. A key of another method's block is refused ({@link MethodKeys}).
 */
public record TrainConfig(TrainMethod method, String model, String dataset, String output, int batchSize,
                          TrainingSettings training, DataSettings data, Optional<LoraSettings> lora,
                          Optional<DreamBoothSettings> dreambooth, Optional<TextualInversionSettings> textualInversion,
                          ExportSettings export, ValidationSettings validation, DistributedSettings distributed) {

    public static final String PATH = "sdspark.train";

    /** The user's configuration (every module's reference.conf under it): validated, method keys included. */
    public static TrainConfig from(Config c) {
        TrainConfig config = read(c);
        MethodKeys.check(c.getConfig(PATH), PATH, config.method());
        return config;
    }

    /**
     * The block as the driver rendered it for the executors (origins are gone, so the method's keys
     * were checked there).
     */
    public static TrainConfig fromRendered(String rendered) {
        return read(ConfigFactory.parseString(rendered).resolve());
    }

    private static TrainConfig read(Config c) {
        Block train = new Block(c, "").child(PATH);
        TrainMethod method = train.choice("method", TrainMethod.class);
        String model = train.requiredString("model");
        String dataset = train.requiredString("dataset");
        String output = train.requiredString("output");
        Optional<DreamBoothSettings> dreambooth = method.dreambooth()
                ? Optional.of(DreamBoothSettings.read(train, output)) : Optional.empty();
        return new TrainConfig(method, model, dataset, output,
                train.positive("batch-size"), TrainSettingsReader.read(train, method, dreambooth), DataSettings.read(train),
                method.lora() ? Optional.of(LoraSettings.read(train)) : Optional.empty(), dreambooth,
                method == TrainMethod.TEXTUAL_INVERSION ? Optional.of(TextualInversionSettings.read(train)) : Optional.empty(),
                ExportSettings.read(train), ValidationSettings.read(train), DistributedSettings.read(train));
    }

    public int steps() {
        return Math.toIntExact(training.totalSteps());
    }

    public int accumulation() {
        return training.accumulation();
    }

    /** The loop's settings. */
    public TrainingSettings trainingSettings() {
        return training;
    }

    /** What the method adds to the loaded models: LoRA plans, textual inversion's tokens. */
    public ModelSetup modelSetup() {
        if (lora.isPresent()) {
            LoraSettings l = lora.get();
            boolean text = trainsTextEncoder();
            return ModelSetup.lora(l.unetPlan(method == TrainMethod.LOCON, training.seed()),
                    text ? l.textEncoderPlan(training.seed()) : null);
        }
        return textualInversion.map(t -> ModelSetup.textualInversion(t.tokens(), t.initializerToken())).orElse(ModelSetup.NONE);
    }

    /** Whether the text encoder (or its adapters) is trained. */
    public boolean trainsTextEncoder() {
        return training.trained().stream().anyMatch(g -> g.startsWith("text_encoder."));
    }

    /** Whether class images are trained beside the instances. */
    public boolean priorPreservation() {
        return dreambooth.map(DreamBoothSettings::priorPreservation).orElse(false);
    }

    /** Where the prepared class images of prior preservation are (made from the class folder by the driver). */
    public String classDataset() {
        return output + "/class-dataset";
    }

    /** The data plan for a run of {@code workers} ranks. */
    public PlanSettings planSettings(int workers) {
        return new PlanSettings(training.seed(), batchSize, workers, training.accumulation(), data.flipProbability(),
                data.captionDropout());
    }

    /** Images per optimizer step over all workers. */
    public long globalBatch() {
        return (long) batchSize * distributed.workers() * training.accumulation();
    }
}
