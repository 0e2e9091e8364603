package org.sdspark.model.diffusers;

import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.BiFunction;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.sdspark.model.nn.ModelLoadException;
import org.sdspark.model.nn.StateDict;

/**
 * A component folder of a pipeline: {@code config.json} and the weights in one file, or sharded
 * with an index. diffusers names the file {@code diffusion_pytorch_model.safetensors} ({@code
 * unet/}, {@code vae/}), transformers {@code model.safetensors} ({@code text_encoder/}); older
 * folders carry PyTorch pickles instead ({@code diffusion_pytorch_model.bin}, {@code
 * pytorch_model.bin}), read by the restricted unpickler.
 *
 * <p>A variant (diffusers' {@code variant="fp16"}) names the files {@code
 * diffusion_pytorch_model.fp16.safetensors} and so on. With {@code variant} null the plain files
 * are used, or the variant when a folder has only one (Hub downloads of {@code variant="fp16"}).
 */
public record ComponentFolder(Path folder, String weightsFile, String variant) {
    public static final String DIFFUSERS_WEIGHTS = "diffusion_pytorch_model.safetensors";
    public static final String TRANSFORMERS_WEIGHTS = "model.safetensors";
    private static final String SAFETENSORS = ".safetensors";
    /** The shard part of a sharded variant's file names: name.fp16-00001-of-00002.safetensors. */
    private static final Pattern SHARD = Pattern.compile(".*-\\d+-of-\\d+");

    public ComponentFolder {
        if (!weightsFile.endsWith(SAFETENSORS)) {
            throw new IllegalArgumentException("weights file " + weightsFile + " must be the .safetensors name");
        }
        if (variant != null && !variant.matches("[A-Za-z0-9_-]+")) {
            throw new IllegalArgumentException("variant must be letters, digits, '_' or '-', got '" + variant + "'");
        }
    }

    /** A diffusers model folder. */
    public ComponentFolder(Path folder) {
        this(folder, DIFFUSERS_WEIGHTS, null);
    }

    public ComponentFolder(Path folder, String weightsFile) {
        this(folder, weightsFile, null);
    }

    public Path config() {
        return folder.resolve("config.json");
    }

    /**
     * Reads {@code config.json}, loads the weights and builds the model from both; the weights
     * are closed if building fails (the model owns them otherwise).
     */
    public <C, M> M load(NDManager manager, Function<Path, C> readConfig, BiFunction<C, StateDict, M> build)
            throws IOException {
        C config = readConfig.apply(config());
        StateDict weights = loadWeights(manager);
        try {
            return build.apply(config, weights);
        } catch (RuntimeException e) {
            weights.close();
            throw e;
        }
    }

    public StateDict loadWeights(NDManager manager) throws IOException {
        String chosen = variant != null ? variant : onlyVariantIfNoPlainFiles();
        for (String name : candidates(chosen)) {
            Path single = folder.resolve(name);
            if (Files.isRegularFile(single)) {
                return StateDict.load(manager, single);
            }
            Path index = folder.resolve(indexName(name, chosen));
            if (Files.isRegularFile(index)) {
                return StateDict.load(manager, shards(index));
            }
        }
        throw new ModelLoadException(folder + ": no weights " + String.join(" or ", candidates(chosen))
                + " (nor a sharded index of them)" + (chosen == null ? "" : " for variant '" + chosen + "'")
                + foundVariants());
    }

    /** The safetensors name, then the pickle name: {@code diffusion_pytorch_model.bin}, transformers' {@code pytorch_model.bin}. */
    private List<String> candidates(String variant) {
        String stem = weightsFile.substring(0, weightsFile.length() - SAFETENSORS.length());
        String pickle = weightsFile.equals(TRANSFORMERS_WEIGHTS) ? "pytorch_model" : stem;
        String infix = variant == null ? "" : "." + variant;
        return List.of(stem + infix + SAFETENSORS, pickle + infix + ".bin");
    }

    /** diffusers' _add_variant puts the variant before the last suffix: x.safetensors.index.fp16.json. */
    private static String indexName(String weights, String variant) {
        String plain = variant == null ? weights : weights.replace("." + variant + ".", ".");
        return plain + ".index" + (variant == null ? "" : "." + variant) + ".json";
    }

    private String onlyVariantIfNoPlainFiles() throws IOException {
        for (String name : candidates(null)) {
            if (Files.isRegularFile(folder.resolve(name)) || Files.isRegularFile(folder.resolve(indexName(name, null)))) {
                return null;
            }
        }
        Set<String> variants = variants();
        if (variants.size() > 1) {
            throw new ModelLoadException(folder + " has only variant weights " + variants + "; choose one (--variant)");
        }
        return variants.isEmpty() ? null : variants.iterator().next();
    }

    /** The variants whose weights the folder holds: the NAME of name.NAME.safetensors, name.NAME.bin or their indexes. */
    private Set<String> variants() throws IOException {
        if (!Files.isDirectory(folder)) {
            return Set.of();
        }
        Set<String> found = new TreeSet<>();
        List<Pattern> patterns = new ArrayList<>();
        for (String name : candidates(null)) {
            int dot = name.lastIndexOf('.');
            String stem = Pattern.quote(name.substring(0, dot));
            String suffix = Pattern.quote(name.substring(dot));
            patterns.add(Pattern.compile(stem + "\\.([A-Za-z0-9_-]+)" + suffix));
            patterns.add(Pattern.compile(stem + suffix + "\\.index\\.([A-Za-z0-9_-]+)\\.json"));
        }
        try (Stream<Path> files = Files.list(folder)) {
            files.map(p -> p.getFileName().toString()).forEach(name -> patterns.forEach(pattern -> {
                Matcher m = pattern.matcher(name);
                if (m.matches() && !SHARD.matcher(m.group(1)).matches()) {
                    found.add(m.group(1));
                }
            }));
        }
        return found;
    }

    private String foundVariants() throws IOException {
        Set<String> variants = variants();
        return variants.isEmpty() ? "" : "; it has variants " + variants;
    }

    private Path[] shards(Path index) throws IOException {
        JsonNode map = new ObjectMapper().readTree(index.toFile()).get("weight_map");
        if (map == null || !map.isObject()) {
            throw new ModelLoadException(index + ": no 'weight_map' object");
        }
        Set<Path> files = new LinkedHashSet<>();
        map.elements().forEachRemaining(f -> files.add(folder.resolve(f.asText())));
        if (files.isEmpty()) {
            throw new ModelLoadException(index + " lists no shards under weight_map");
        }
        return files.toArray(Path[]::new);
    }
}
