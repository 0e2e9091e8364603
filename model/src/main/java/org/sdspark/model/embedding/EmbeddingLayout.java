package org.sdspark.model.embedding;

import java.util.Arrays;
import java.util.Map;
import java.util.Optional;
import org.sdspark.model.nn.ModelLoadException;

/**
 * The two ways textual inversion embeddings are stored in safetensors, both one tensor of the
 * token's vectors, (n, dim) or (dim):
 * <ul>
 *   <li>{@link #DIFFUSERS}: {@code learned_embeds.safetensors} of diffusers' textual_inversion.py,
 *   {@code {token: vectors}}: the key is the token;
 *   <li>{@link #A1111}: {@code {"emb_params": vectors}} (kohya's trainer, read by A1111 and ComfyUI):
 *   the token is the file's name, as A1111 takes it.
 * </ul>
 */
public enum EmbeddingLayout {
    DIFFUSERS,
    A1111;

    static final String EMB_PARAMS = "emb_params";

    /** Where a file's vectors are and which token they belong to, from its header. */
    public record Plan(EmbeddingLayout layout, String key, String token) {
    }

    /**
     * @param shapes the file's tensors by name
     * @param fileStem the file name without its extension (A1111's token)
     * @param token a token that replaces the file's own, if given
     */
    public static Plan plan(String source, Map<String, long[]> shapes, String fileStem, Optional<String> token) {
        if (shapes.containsKey("clip_l") || shapes.containsKey("clip_g")) {
            throw new ModelLoadException(source + " is an SDXL embedding (clip_l / clip_g vectors); this model has one text encoder");
        }
        if (shapes.size() != 1) {
            throw new ModelLoadException(source + " is not a textual inversion embedding: it holds " + shapes.size()
                    + " tensors " + shapes.keySet().stream().limit(5).toList() + ", an embedding file holds one ({token: vectors}"
                    + " as diffusers writes it, or {\"emb_params\": vectors} as A1111 reads it)");
        }
        String key = shapes.keySet().iterator().next();
        long[] shape = shapes.get(key);
        if (shape.length < 1 || shape.length > 2 || Arrays.stream(shape).anyMatch(d -> d <= 0)) {
            throw new ModelLoadException(source + ": " + key + " has shape " + Arrays.toString(shape)
                    + ", an embedding is (vectors, dim) or (dim)");
        }
        EmbeddingLayout layout = key.equals(EMB_PARAMS) ? A1111 : DIFFUSERS;
        return new Plan(layout, key, token.orElse(layout == A1111 ? fileStem : key));
    }
}
