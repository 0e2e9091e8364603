package org.sdspark.jobs.train.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigOrigin;
import com.typesafe.config.ConfigValue;
import java.util.Arrays;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Keys under {@code sdspark.train} that only some methods read. A user who sets one for another
 * method has misunderstood the run (a LoRA rank on a full fine-tune would be ignored silently),
 * so it is an error naming the key, where it was set, and the methods that use it. Only keys the
 * user wrote count: the reference configuration's defaults are set for every method.
 */
public final class MethodKeys {
    private record Rule(String key, Set<TrainMethod> methods) {
    }

    private static final List<Rule> RULES = List.of(
            new Rule("trained", EnumSet.of(TrainMethod.FULL, TrainMethod.DREAMBOOTH)),
            new Rule("ema", EnumSet.of(TrainMethod.FULL, TrainMethod.DREAMBOOTH)),
            new Rule("export", EnumSet.of(TrainMethod.FULL, TrainMethod.DREAMBOOTH)),
            new Rule("lora", EnumSet.of(TrainMethod.LORA, TrainMethod.LOCON, TrainMethod.DREAMBOOTH_LORA)),
            new Rule("lora.conv-rank", EnumSet.of(TrainMethod.LOCON)),
            new Rule("lora.conv-alpha", EnumSet.of(TrainMethod.LOCON)),
            new Rule("dreambooth", EnumSet.of(TrainMethod.DREAMBOOTH, TrainMethod.DREAMBOOTH_LORA)),
            new Rule("textual-inversion", EnumSet.of(TrainMethod.TEXTUAL_INVERSION)),
            new Rule("train-text-encoder", EnumSet.complementOf(EnumSet.of(TrainMethod.TEXTUAL_INVERSION))),
            new Rule("text-encoder-learning-rate", EnumSet.complementOf(EnumSet.of(TrainMethod.TEXTUAL_INVERSION))));

    private MethodKeys() {
    }

    /**
     * Fails on the first key of {@code train} (the {@code sdspark.train} block at {@code path}) that
     * the user set and {@code method} does not use.
     */
    public static void check(Config train, String path, TrainMethod method) {
        train.entrySet().stream().sorted(Map.Entry.comparingByKey()).forEach(e -> {
            if (!userSet(e.getValue())) {
                return;
            }
            RULES.stream().filter(r -> e.getKey().equals(r.key()) || e.getKey().startsWith(r.key() + "."))
                    .max(Comparator.comparingInt(r -> r.key().length()))
                    .filter(r -> !r.methods().contains(method))
                    .ifPresent(r -> {
                        throw new ConfigException.BadValue(e.getValue().origin(), path + "." + e.getKey(), "is set, but method = "
                                + method.key() + " does not use it (" + TrainMethod.keys(r.methods().toArray(TrainMethod[]::new))
                                + (r.methods().size() == 1 ? " does" : " do") + "); remove it or choose that method");
                    });
        });
    }

    // Every module's defaults come from a reference.conf resource; a user's value has another origin.
    private static boolean userSet(ConfigValue value) {
        ConfigOrigin origin = value.origin();
        return origin.resource() == null || Arrays.stream(origin.resource().split("/")).noneMatch("reference.conf"::equals);
    }
}
