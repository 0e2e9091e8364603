package org.sdspark.model.lora;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.sdspark.model.embedding.TextualInversion;
import org.sdspark.model.embedding.TextualInversionFile;
import org.sdspark.model.io.SafeTensorsFile;
import org.sdspark.model.io.TensorInfo;
import org.sdspark.model.testing.Fixtures;

/**
 * Adapters of the tiny pipeline written by sdspark's own writers from seeded values, the files
 * diffusers' {@code load_lora_weights} and {@code load_textual_inversion} are checked against on the
 * GPU host (model/src/test/python/make_adapter_fixtures.py):
 * <ul>
 *   <li>a LoRA in both layouts ({@code sdspark-peft.safetensors}, {@code sdspark-kohya.safetensors}):
 *   linear and 1x1 / 3x3 / strided conv layers of the UNet, text encoder projections, ranks 2 to 4
 *   and alphas that differ from them;
 *   <li>embeddings in both layouts: {@code sdspark-learned_embeds.safetensors} ({@code <sdspark-tok>},
 *   2 vectors) and {@code sdspark-style.safetensors} (A1111, 3 vectors).
 * </ul>
 * {@code main(LORA_DIR, EMBEDDINGS_DIR)} writes them.
 */
public final class SdsparkWrittenAdapters {
    static final String PEFT_FILE = "sdspark-peft.safetensors";
    static final String KOHYA_FILE = "sdspark-kohya.safetensors";
    static final String DIFFUSERS_EMBEDDING = "sdspark-learned_embeds.safetensors";
    static final String A1111_EMBEDDING = "sdspark-style.safetensors";

    // module -> (rank, alpha)
    private static final Map<String, LoraSpec> SPECS = specs();

    private SdsparkWrittenAdapters() {
    }

    private static Map<String, LoraSpec> specs() {
        Map<String, LoraSpec> specs = new LinkedHashMap<>();
        for (String block : List.of("down_blocks.0.attentions.0", "mid_block.attentions.0")) {
            for (String attn : List.of("attn1", "attn2")) {
                for (String proj : List.of("to_q", "to_k", "to_v", "to_out.0")) {
                    specs.put("unet." + block + ".transformer_blocks.0." + attn + "." + proj, new LoraSpec(4, 8));
                }
            }
        }
        specs.put("unet.down_blocks.0.attentions.0.proj_in", new LoraSpec(2, 1));
        specs.put("unet.up_blocks.1.attentions.2.transformer_blocks.0.ff.net.0.proj", new LoraSpec(4, 4));
        specs.put("unet.down_blocks.0.resnets.0.conv1", new LoraSpec(3, 1.5));
        specs.put("unet.up_blocks.0.resnets.1.conv_shortcut", new LoraSpec(2, 2));
        specs.put("unet.up_blocks.0.resnets.0.time_emb_proj", new LoraSpec(2, 4));
        specs.put("unet.down_blocks.0.downsamplers.0.conv", new LoraSpec(2, 2));
        for (String proj : List.of("layers.0.self_attn.q_proj", "layers.0.self_attn.v_proj", "layers.2.mlp.fc1")) {
            specs.put("text_encoder.text_model.encoder." + proj, new LoraSpec(2, 4));
        }
        return specs;
    }

    /** The adapters, owned by {@code manager}: down uniform in +-1/sqrt(fan_in), up in +-0.1/sqrt(rank). */
    static LoraWeights build(NDManager manager) throws IOException {
        AdaptableModules modules = AdaptableModules.of(
                shapes(Fixtures.path("tiny-sd/unet/diffusion_pytorch_model.safetensors")),
                shapes(Fixtures.path("tiny-sd/text_encoder/model.safetensors")));
        SplittableRandom random = new SplittableRandom(8);
        Map<String, Map<String, NDArray>> byComponent = new LinkedHashMap<>();
        SPECS.forEach((full, spec) -> {
            String component = full.substring(0, full.indexOf('.'));
            String path = full.substring(full.indexOf('.') + 1);
            long[] w = modules.weightShape(new ModuleRef(Component.byKey(component), path));
            long fanIn = w.length == 4 ? w[1] * w[2] * w[3] : w[1];
            long[] down = w.length == 4 ? new long[] {spec.rank(), w[1], w[2], w[3]} : new long[] {spec.rank(), w[1]};
            long[] up = w.length == 4 ? new long[] {w[0], spec.rank(), 1, 1} : new long[] {w[0], spec.rank()};
            Map<String, NDArray> tensors = byComponent.computeIfAbsent(component, c -> new LinkedHashMap<>());
            tensors.put(path + ".lora_A.weight", uniform(manager, random, down, 1 / Math.sqrt(fanIn)));
            tensors.put(path + ".lora_B.weight", uniform(manager, random, up, 0.1 / Math.sqrt(spec.rank())));
        });
        return LoraWeights.fromAdapters(byComponent, SPECS);
    }

    private static NDArray uniform(NDManager manager, SplittableRandom random, long[] shape, double bound) {
        float[] values = new float[(int) new Shape(shape).size()];
        for (int i = 0; i < values.length; i++) {
            values[i] = (float) ((random.nextDouble() * 2 - 1) * bound);
        }
        return manager.create(values, new Shape(shape));
    }

    static Map<String, long[]> shapes(Path file) throws IOException {
        Map<String, long[]> shapes = new LinkedHashMap<>();
        try (SafeTensorsFile st = SafeTensorsFile.open(file)) {
            for (TensorInfo info : st.tensors().values()) {
                shapes.put(info.name(), info.shape());
            }
        }
        return shapes;
    }

    static List<Path> writeLora(NDManager manager, Path dir) throws IOException {
        LoraWeights lora = build(manager);
        List<Path> files = List.of(dir.resolve(PEFT_FILE), dir.resolve(KOHYA_FILE));
        LoraFile.write(files.get(0), lora, LoraLayout.PEFT);
        LoraFile.write(files.get(1), lora, LoraLayout.KOHYA);
        return files;
    }

    static List<Path> writeEmbeddings(NDManager manager, Path dir) throws IOException {
        SplittableRandom random = new SplittableRandom(9);
        List<Path> files = List.of(dir.resolve(DIFFUSERS_EMBEDDING), dir.resolve(A1111_EMBEDDING));
        TextualInversionFile.writeDiffusers(files.get(0),
                new TextualInversion("<sdspark-tok>", uniform(manager, random, new long[] {2, 32}, 1)));
        // A1111 names the token after the file: sdspark-style
        TextualInversionFile.writeA1111(files.get(1),
                new TextualInversion("sdspark-style", uniform(manager, random, new long[] {3, 32}, 1)));
        return files;
    }

    public static void main(String[] args) throws IOException {
        try (NDManager manager = NDManager.newBaseManager()) {
            writeLora(manager, Path.of(args[0])).forEach(System.out::println);
            writeEmbeddings(manager, Path.of(args[1])).forEach(System.out::println);
        }
    }
}
