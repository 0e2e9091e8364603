package org.sdspark.model.nn;

import static org.sdspark.model.nn.Constants.scalar;

import ai.djl.ndarray.NDArray;
import ai.djl.nn.Activation;

/** The activations Stable Diffusion's components use, by their config names. */
public final class Activations {
    private Activations() {
    }

    /** x * sigmoid(x): one kernel through the {@link TorchExtension} where it is loaded. */
    public static NDArray silu(NDArray x) {
        if (TorchExtension.fuses(TorchExtension.Op.SILU)) {
            return TorchExtension.silu(x);
        }
        return x.mul(Activation.sigmoid(x));
    }

    /** Exact (erf) GELU, PyTorch's default: the engine's own kernel, which keeps only x for backward. */
    public static NDArray gelu(NDArray x) {
        return x.getNDArrayInternal().gelu();
    }

    /** OpenAI CLIP's approximation x * sigmoid(1.702 x). */
    public static NDArray quickGelu(NDArray x) {
        return x.mul(Activation.sigmoid(x.mul(scalar(x, 1.702f))));
    }

    /** Looks an activation up by its transformers/diffusers config name. */
    public static java.util.function.UnaryOperator<NDArray> byName(String name) {
        return switch (name) {
            case "silu", "swish" -> Activations::silu;
            case "gelu" -> Activations::gelu;
            case "quick_gelu" -> Activations::quickGelu;
            default -> throw new IllegalArgumentException("unsupported activation '" + name + "'");
        };
    }
}
