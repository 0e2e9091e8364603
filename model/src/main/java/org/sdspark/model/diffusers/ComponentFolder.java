package org.sdspark.model.diffusers;

import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.function.BiFunction;
import java.util.function.Function;
import org.sdspark.model.nn.ModelLoadException;
import org.sdspark.model.nn.StateDict;

/**
 * A component folder of a pipeline: {@code config.json} and the weights in one safetensors file,
 * or sharded with a {@code .index.json}. diffusers names the file
 * {@code diffusion_pytorch_model.safetensors} ({@code unet/}, {@code vae/}), transformers
 * {@code model.safetensors} ({@code text_encoder/}).
 */
public record ComponentFolder(Path folder, String weightsFile) {
    public static final String DIFFUSERS_WEIGHTS = "diffusion_pytorch_model.safetensors";
    public static final String TRANSFORMERS_WEIGHTS = "model.safetensors";

    /** A diffusers model folder. */
    public ComponentFolder(Path folder) {
        this(folder, DIFFUSERS_WEIGHTS);
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
        Path single = folder.resolve(weightsFile);
        if (Files.isRegularFile(single)) {
            return StateDict.load(manager, single);
        }
        Path index = folder.resolve(weightsFile + ".index.json");
        if (Files.isRegularFile(index)) {
            return StateDict.load(manager, shards(index));
        }
        throw new ModelLoadException(folder + ": no " + weightsFile + " (nor a sharded " + index.getFileName()
                + "); only safetensors weights are supported");
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
