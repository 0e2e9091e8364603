package org.sdspark.model.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;

/**
 * Which modules of a component carry a LoRA branch, decided by module path when the component is
 * built: {@link Linear#load} and {@link Conv2d#load} ask the plan through their {@link Weights}
 * view, so no block changes (PEFT's target_modules, matched as globs). The first matching rule
 * wins. A matching Conv2d gets a LoCon branch.
 *
 * <p>Fresh branches start as PEFT's {@code init_lora_weights=True} (A kaiming-uniform with
 * a = √5, i.e. U(±1/√fan_in); B zero) or {@code "gaussian"} (A ~ N(0, 1/rank), diffusers'
 * training scripts), drawn in Java from the plan's seed and the tensor's key: the same plan gives
 * the same adapter on every machine and thread.
 */
public final class AdapterPlan {
    /** UNet attention projections, diffusers' and PEFT's default LoRA targets. */
    public static final List<String> UNET_ATTENTION = List.of("*.to_q", "*.to_k", "*.to_v", "*.to_out.0");
    public static final List<String> UNET_PROJECTIONS = List.of("*.proj_in", "*.proj_out");
    public static final List<String> UNET_FEED_FORWARD = List.of("*.ff.net.0.proj", "*.ff.net.2");
    /** The resnets' convolutions: LoCon. */
    public static final List<String> UNET_RESNET_CONVS = List.of("*.resnets.*.conv1", "*.resnets.*.conv2",
            "*.resnets.*.conv_shortcut");
    public static final List<String> TEXT_ATTENTION = List.of("*.q_proj", "*.k_proj", "*.v_proj", "*.out_proj");
    public static final List<String> TEXT_MLP = List.of("*.fc1", "*.fc2");

    /** How fresh branches are initialised. */
    public enum Init { PEFT, GAUSSIAN }

    /** Modules matching {@code modules} get a branch of shape {@code lora}. */
    public record Rule(KeyGlob modules, LoraSpec lora) {
        public static List<Rule> of(List<String> globs, LoraSpec lora) {
            return globs.stream().map(g -> new Rule(KeyGlob.of(g), lora)).toList();
        }
    }

    private final List<Rule> rules;
    private final Init init;
    private final long seed;
    private final AdapterDropout dropout = new AdapterDropout();

    public AdapterPlan(List<Rule> rules, Init init, long seed) {
        this.rules = List.copyOf(rules);
        this.init = init;
        this.seed = seed;
    }

    /** One LoRA shape for every module matching any of {@code globs}. */
    public static AdapterPlan lora(List<String> globs, LoraSpec lora, Init init, long seed) {
        return new AdapterPlan(Rule.of(globs, lora), init, seed);
    }

    /** The rules of both plans, this one's first (same init and seed as this). */
    public AdapterPlan and(List<Rule> more) {
        List<Rule> all = new ArrayList<>(rules);
        all.addAll(more);
        return new AdapterPlan(all, init, seed);
    }

    public List<Rule> rules() {
        return rules;
    }

    public Optional<LoraSpec> match(String modulePath) {
        return rules.stream().filter(r -> r.modules().matches(modulePath)).map(Rule::lora).findFirst();
    }

    /** The dropout switch of every branch this plan creates (the training loop drives it). */
    public AdapterDropout dropout() {
        return dropout;
    }

    /** Creates lora_A / lora_B tensors of {@code type} (the base layers' type) for a dict of fresh adapters. */
    public StateDict.Initialiser initialiser(DataType type) {
        return (manager, key, shape) -> {
            NDArray fp32 = initialise(manager, key, shape);
            if (type == DataType.FLOAT32) {
                return fp32;
            }
            NDArray cast = fp32.toType(type, false);
            fp32.close();
            return cast;
        };
    }

    /** Fresh adapters beside a component's weights in {@code type}, initialised by this plan. */
    public StateDict freshAdapters(NDManager parent, String component, DataType type) {
        return StateDict.initialised(parent, component + " adapters (new)", initialiser(type));
    }

    private NDArray initialise(NDManager manager, String key, Shape shape) {
        if (key.endsWith(".lora_B.weight")) {
            return manager.zeros(shape);
        }
        if (!key.endsWith(".lora_A.weight")) {
            throw new IllegalArgumentException("not a LoRA tensor: " + key);
        }
        SplittableRandom random = new SplittableRandom(Seeds.mix(seed, Seeds.of(key)));
        long fanIn = shape.size() / shape.get(0);
        float[] values = new float[Math.toIntExact(shape.size())];
        double bound = 1 / Math.sqrt(fanIn);
        double std = 1.0 / shape.get(0);
        for (int i = 0; i < values.length; i++) {
            values[i] = (float) (init == Init.PEFT ? random.nextDouble(-bound, bound) : std * gaussian(random));
        }
        NDArray view = manager.create(values, shape);
        NDArray owned = view.duplicate(); // engine memory: a Java-backed array may be freed under autograd
        view.close();
        return owned;
    }

    /** A standard normal draw by Box–Muller, defined here so that it never changes with the JDK. */
    static double gaussian(SplittableRandom random) {
        double u = 1 - random.nextDouble();
        return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random.nextDouble());
    }
}
