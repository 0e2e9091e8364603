package org.sdspark.model.checkpoint;

import java.util.List;

/** How tensors of the original (CompVis/A1111) layout relate to the diffusers layout of one component. */
public sealed interface Correspondence {

    /** The original key this correspondence produces or consumes. */
    String original();

    /** The diffusers keys (one, or several when the original fuses them). */
    List<String> diffusers();

    /** Same tensor under another name. */
    record Renamed(String diffusersKey, String original) implements Correspondence {
        public List<String> diffusers() {
            return List.of(diffusersKey);
        }
    }

    /** A linear weight (C, C) in diffusers stored as a 1x1 convolution (C, C, 1, 1) in the original. */
    record LinearAsConv(String diffusersKey, String original) implements Correspondence {
        public List<String> diffusers() {
            return List.of(diffusersKey);
        }
    }

    /** A 2-D tensor stored transposed in the original (OpenCLIP's text_projection is x @ P, transformers' x @ W^T). */
    record Transposed(String diffusersKey, String original) implements Correspondence {
        public List<String> diffusers() {
            return List.of(diffusersKey);
        }
    }

    /** Diffusers tensors of equal length concatenated along the first axis in the original (OpenCLIP q/k/v). */
    record Fused(List<String> diffusers, String original) implements Correspondence {
        public Fused {
            diffusers = List.copyOf(diffusers);
        }
    }
}
