package org.sdspark.model.embedding;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.sdspark.model.io.SafeTensorsFile;
import org.sdspark.model.io.TensorInfo;
import org.sdspark.model.nn.ModelLoadException;
import org.sdspark.model.nn.StateDict;

/**
 * Reads and writes textual inversion embeddings as safetensors in either {@link EmbeddingLayout}.
 * (A1111's pickled {@code .pt} files are not read: convert them to safetensors.)
 */
public final class TextualInversionFile {
    private TextualInversionFile() {
    }

    /** The embedding of {@code file} in float32, owned by {@code manager}; {@code token} replaces the file's own. */
    public static TextualInversion read(NDManager manager, Path file, Optional<String> token) throws IOException {
        String name = file.getFileName().toString();
        if (!name.endsWith(".safetensors")) {
            throw new ModelLoadException(file + ": embeddings are read from .safetensors files"
                    + (name.endsWith(".pt") || name.endsWith(".bin") ? " (pickled " + name.substring(name.lastIndexOf('.'))
                    + " files are not read; convert it to safetensors)" : ""));
        }
        Map<String, long[]> shapes = new LinkedHashMap<>();
        try (SafeTensorsFile st = SafeTensorsFile.open(file)) {
            for (TensorInfo info : st.tensors().values()) {
                shapes.put(info.name(), info.shape());
            }
        }
        EmbeddingLayout.Plan plan = EmbeddingLayout.plan(file.toString(), shapes, name.substring(0, name.length() - ".safetensors".length()), token);
        try (StateDict dict = StateDict.load(manager, plan.key()::equals, file)) {
            NDArray vectors = dict.tensors().get(plan.key());
            NDArray rows = vectors.getShape().dimension() == 1 ? vectors.reshape(1, -1) : vectors;
            rows.attach(manager);
            return new TextualInversion(plan.token(), rows);
        }
    }

    /** diffusers' {@code learned_embeds.safetensors}: {@code {token: vectors (n, dim)}}. */
    public static void writeDiffusers(Path file, TextualInversion embedding) throws IOException {
        StateDict.write(file, Map.of(embedding.token(), embedding.vectors()), Map.of("format", "pt"));
    }

    /** A1111's layout, {@code {"emb_params": vectors (n, dim)}}; A1111 names the token after the file. */
    public static void writeA1111(Path file, TextualInversion embedding) throws IOException {
        StateDict.write(file, Map.of(EmbeddingLayout.EMB_PARAMS, embedding.vectors()), Map.of());
    }
}
