package org.sdspark.model.clip;

import ai.djl.ndarray.NDArray;
import java.util.List;

/**
 * What transformers' {@code CLIPTextModel(input_ids, output_hidden_states=True)} returns:
 * {@code lastHiddenState} (B, L, D) after the final layer norm; {@code hiddenStates} the embeddings
 * (index 0) and each layer's output before the final norm; {@code pooledOutput} (B, D), the final
 * state at each row's end token; {@code textEmbeds} (B, projection_dim) the pooled output through
 * {@code text_projection} for a CLIPTextModelWithProjection, else null.
 */
public record ClipTextOutput(NDArray lastHiddenState, List<NDArray> hiddenStates, NDArray pooledOutput,
                             NDArray textEmbeds) {

    public ClipTextOutput {
        hiddenStates = List.copyOf(hiddenStates);
    }
}
