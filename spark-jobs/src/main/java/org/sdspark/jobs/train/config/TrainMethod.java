package org.sdspark.jobs.train.config;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/** What a run trains, {@code sdspark.train.method}; each method reads only its own blocks of keys. */
public enum TrainMethod {
    /** The UNet (and optionally the text encoder), every weight. */
    FULL,
    /** Full weights, an instance prompt and prior preservation (diffusers' train_dreambooth.py). */
    DREAMBOOTH,
    /** LoRA branches on the UNet's (and optionally the text encoder's) linear layers. */
    LORA,
    /** LoRA, and on the resnets' convolutions (LyCORIS/kohya LoCon). */
    LOCON,
    /** LoRA with DreamBooth's prompts and prior preservation (train_dreambooth_lora.py). */
    DREAMBOOTH_LORA,
    /** New token embeddings only (textual_inversion.py). */
    TEXTUAL_INVERSION;

    /** Trains every weight of the trained components (exports whole models). */
    public boolean fullWeights() {
        return this == FULL || this == DREAMBOOTH;
    }

    public boolean lora() {
        return this == LORA || this == LOCON || this == DREAMBOOTH_LORA;
    }

    public boolean dreambooth() {
        return this == DREAMBOOTH || this == DREAMBOOTH_LORA;
    }

    /** As written in the configuration: {@code dreambooth-lora}. */
    public String key() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    static String keys(TrainMethod... methods) {
        return Arrays.stream(methods).map(TrainMethod::key).collect(Collectors.joining(", "));
    }
}
