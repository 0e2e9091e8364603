package org.sdspark.model.diffusers;

import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.Set;
import org.sdspark.model.nn.ModelLoadException;
import org.sdspark.model.nn.StateDict;

/**
 * A diffusers component folder ({@code unet/}, {@code vae/}): {@code config.json} and the weights
 * in {@code diffusion_pytorch_model.safetensors}, or sharded with a {@code .index.json}.
 */
public record ComponentFolder(Path folder) {
    private static final String WEIGHTS = "diffusion_pytorch_model.safetensors";

    public Path config() {
        return folder.resolve("config.json");
    }

    public StateDict loadWeights(NDManager manager) throws IOException {
        Path single = folder.resolve(WEIGHTS);
        if (Files.isRegularFile(single)) {
            return StateDict.load(manager, single);
        }
        Path index = folder.resolve(WEIGHTS + ".index.json");
        if (Files.isRegularFile(index)) {
            return StateDict.load(manager, shards(index));
        }
        throw new ModelLoadException(folder + ": no " + WEIGHTS + " (nor a sharded " + index.getFileName()
                + "); only safetensors weights are supported");
    }

    private Path[] shards(Path index) throws IOException {
        JsonNode map = new ObjectMapper().readTree(index.toFile()).get("weight_map");
        if (map == null || !map.isObject()) {
            throw new ModelLoadException(index + ": no 'weight_map' object");
        }
        Set<Path> files = new LinkedHashSet<>();
        map.elements().forEachRemaining(f -> files.add(folder.resolve(f.asText())));
        return files.toArray(Path[]::new);
    }
}
