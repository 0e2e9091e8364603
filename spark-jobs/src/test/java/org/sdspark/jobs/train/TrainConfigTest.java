package org.sdspark.jobs.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.typesafe.config.ConfigException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.sdspark.jobs.config.ConfigLoader;
import org.sdspark.model.train.Precision;
import org.sdspark.model.train.collective.Backend;
import org.sdspark.model.train.collective.WireFormat;

class TrainConfigTest {
    private static final List<String> REQUIRED = List.of("sdspark.train.model=m", "sdspark.train.dataset=d",
            "sdspark.train.output=o");

    private static TrainConfig read(String... sets) {
        List<String> all = new ArrayList<>(REQUIRED);
        all.addAll(List.of(sets));
        return TrainConfig.from(ConfigLoader.load(Optional.empty(), all));
    }

    @Test
    void readsEveryKeyWithTheReferenceDefaults() {
        TrainConfig c = read("sdspark.train.distributed.workers=4", "sdspark.train.distributed.all-reduce-precision=fp16",
                "sdspark.train.distributed.timeout=90s", "sdspark.train.gradient-accumulation=2", "sdspark.train.batch-size=3",
                "sdspark.train.mixed-precision=fp16", "sdspark.train.lr-scheduler=cosine-with-restarts");
        assertThat(c.distributed().workers()).isEqualTo(4);
        assertThat(c.distributed().backend()).isEqualTo(Backend.AUTO);
        assertThat(c.distributed().collective().wire()).isEqualTo(WireFormat.FP16);
        assertThat(c.distributed().collective().timeout()).isEqualTo(Duration.ofSeconds(90));
        assertThat(c.distributed().collective().bucketBytes()).isEqualTo(25L << 20);
        assertThat(c.globalBatch()).isEqualTo(3 * 4 * 2);
        assertThat(c.planSettings(4).globalBatchSize()).isEqualTo(12);
        assertThat(c.trainingSettings().precision()).isEqualTo(Precision.FP16);
        assertThat(c.trainingSettings().totalSteps()).isEqualTo(1000);
        assertThat(c.trainingSettings().cudaGraphs()).isTrue();
        assertThat(read("sdspark.train.cuda-graphs=false").trainingSettings().cudaGraphs()).isFalse();
    }

    @Test
    void badValuesNameTheirKey() {
        assertThatThrownBy(() -> read("sdspark.train.distributed.backend=mpi")).isInstanceOf(ConfigException.BadValue.class)
                .hasMessageContaining("sdspark.train.distributed.backend").hasMessageContaining("one of auto, nccl, ring");
        assertThatThrownBy(() -> read("sdspark.train.distributed.workers=0"))
                .hasMessageContaining("sdspark.train.distributed.workers").hasMessageContaining("must be > 0");
        assertThatThrownBy(() -> read("sdspark.train.distributed.timeout=0s"))
                .hasMessageContaining("sdspark.train.distributed.timeout");
        assertThatThrownBy(() -> read("sdspark.train.mixed-precision=bf16")).hasMessageContaining("bf16 is not available");
        assertThatThrownBy(() -> read("sdspark.train.cuda-graphs=sometimes")).hasMessageContaining("sdspark.train.cuda-graphs");
        assertThatThrownBy(() -> TrainConfig.from(ConfigLoader.load(Optional.empty(), List.of("sdspark.train.model=m"))))
                .hasMessageContaining("sdspark.train.dataset").hasMessageContaining("required");
    }

    @Test
    void eachMethodTrainsItsOwnParameters() {
        assertThat(read().trainingSettings().trained()).containsExactly("unet.*");
        assertThat(read().modelSetup()).isEqualTo(org.sdspark.model.train.ModelSetup.NONE);
        TrainConfig full = read("sdspark.train.train-text-encoder=true", "sdspark.train.text-encoder-learning-rate=5e-6",
                "sdspark.train.ema.enabled=true", "sdspark.train.ema.warmup=true");
        assertThat(full.trainingSettings().trained()).containsExactly("unet.*", "text_encoder.*");
        assertThat(full.trainingSettings().componentRates()).containsEntry("text_encoder", 5e-6);
        assertThat(full.trainingSettings().ema()).hasValueSatisfying(e -> assertThat(e.warmup()).isTrue());

        TrainConfig lora = read("sdspark.train.method=lora", "sdspark.train.train-text-encoder=true",
                "sdspark.train.lora.rank=8", "sdspark.train.lora.unet-targets=[attention, \"*.proj_in\"]");
        assertThat(lora.trainingSettings().trained()).containsExactly("unet.*.lora_A.weight", "unet.*.lora_B.weight",
                "text_encoder.*.lora_A.weight", "text_encoder.*.lora_B.weight");
        assertThat(lora.trainingSettings().ema()).isEmpty();
        var setup = lora.modelSetup();
        assertThat(setup.unetAdapters().match("down_blocks.0.attentions.0.proj_in")).hasValueSatisfying(
                spec -> assertThat(spec.rank()).isEqualTo(8));
        assertThat(setup.unetAdapters().match("down_blocks.0.resnets.0.conv1")).isEmpty();
        assertThat(setup.textEncoderAdapters().match("text_model.encoder.layers.0.self_attn.q_proj")).isPresent();

        var locon = read("sdspark.train.method=locon", "sdspark.train.lora.conv-rank=2").modelSetup().unetAdapters();
        assertThat(locon.match("down_blocks.0.resnets.0.conv1")).hasValueSatisfying(spec -> assertThat(spec.rank()).isEqualTo(2));

        TrainConfig ti = read("sdspark.train.method=textual-inversion", "sdspark.train.textual-inversion.placeholder-token=\"<cat>\"",
                "sdspark.train.textual-inversion.initializer-token=cat", "sdspark.train.textual-inversion.vectors=3");
        assertThat(ti.trainingSettings().trained()).containsExactly(org.sdspark.model.train.TrainableModels.ADDED_EMBEDDINGS);
        assertThat(ti.modelSetup().placeholderTokens()).containsExactly("<cat>", "<cat>_1", "<cat>_2");

        TrainConfig db = read("sdspark.train.method=dreambooth", "sdspark.train.dreambooth.class-prompt=\"a dog\"",
                "sdspark.train.dreambooth.prior-loss-weight=0.5");
        assertThat(db.priorPreservation()).isTrue();
        assertThat(db.trainingSettings().loss().priorLossWeight()).isEqualTo(0.5);
        assertThat(db.dreambooth().orElseThrow().classData()).isEqualTo("o/class-images");
        assertThat(db.classDataset()).isEqualTo("o/class-dataset");
    }

    @Test
    void methodKeysAreCheckedOnTheDriverButNotInTheRenderedCopy() {
        assertThatThrownBy(() -> read("sdspark.train.lora.rank=8")).hasMessageContaining("--set sdspark.train.lora.rank")
                .hasMessageContaining("method = full does not use it");
        assertThatThrownBy(() -> read("sdspark.train.method=lora", "sdspark.train.lora.conv-alpha=2"))
                .hasMessageContaining("sdspark.train.lora.conv-alpha").hasMessageContaining("(locon does)");
        assertThatThrownBy(() -> read("sdspark.train.method=lora", "sdspark.train.ema.enabled=false"))
                .hasMessageContaining("sdspark.train.ema.enabled");
        assertThatThrownBy(() -> read("sdspark.train.method=textual-inversion", "sdspark.train.train-text-encoder=true",
                "sdspark.train.textual-inversion.placeholder-token=x", "sdspark.train.textual-inversion.initializer-token=y"))
                .hasMessageContaining("sdspark.train.train-text-encoder");
        assertThatThrownBy(() -> read("sdspark.train.method=dreambooth")).hasMessageContaining("sdspark.train.dreambooth.class-prompt")
                .hasMessageContaining("is required with prior-preservation");
        assertThatThrownBy(() -> read("sdspark.train.method=textual-inversion"))
                .hasMessageContaining("sdspark.train.textual-inversion.placeholder-token").hasMessageContaining("required");
        assertThatThrownBy(() -> read("sdspark.train.lora.rank=8", "sdspark.train.method=pixart"))
                .hasMessageContaining("one of full, dreambooth, lora, locon, dreambooth-lora, textual-inversion");

        var config = ConfigLoader.load(Optional.empty(), List.of("sdspark.train.model=m", "sdspark.train.dataset=d",
                "sdspark.train.output=o", "sdspark.train.method=lora"));
        TrainConfig rendered = TrainConfig.fromRendered(TrainCommand.render(config));
        assertThat(rendered.method()).isEqualTo(org.sdspark.jobs.train.config.TrainMethod.LORA);
        assertThat(rendered.trainingSettings()).isEqualTo(TrainConfig.from(config).trainingSettings());
    }
}
