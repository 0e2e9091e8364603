package org.sdspark.model.diffusers;

import static org.sdspark.model.nn.Constants.scalar;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

/**
 * Sinusoidal features of diffusion timesteps (diffusers' {@code get_timestep_embedding}):
 * frequencies exp(-ln(10000) i / (dim/2 - freqShift)), sin half then cos half, or cos first when
 * {@code flipSinToCos}. Computed in float32 in the reference's order of operations, so large
 * timesteps round the same way as there.
 */
public record Timesteps(int dim, boolean flipSinToCos, double freqShift) {

    /** (B) timesteps, integer or fractional, to (B, dim) float32 features. */
    public NDArray embed(NDArray timesteps) {
        NDManager m = timesteps.getManager();
        int half = dim / 2;
        NDArray exponents = m.arange(0f, half, 1f, DataType.FLOAT32);
        NDArray freqs = exponents.mul(scalar(exponents, -Math.log(10000))).div(scalar(exponents, half - freqShift)).exp();
        NDArray args = timesteps.toType(DataType.FLOAT32, false).reshape(-1, 1).mul(freqs.reshape(1, -1));
        NDArray sin = args.sin();
        NDArray cos = args.cos();
        NDArray emb = flipSinToCos ? cos.concat(sin, 1) : sin.concat(cos, 1);
        return dim % 2 == 0 ? emb : emb.pad(new Shape(0, 1), 0);
    }
}
