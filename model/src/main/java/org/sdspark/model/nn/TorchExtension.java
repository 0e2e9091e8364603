package org.sdspark.model.nn;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.engine.PtNDManager;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * sdspark's native libtorch extension ({@code model/src/main/native}): the PyTorch kernels DJL does
 * not expose (fused attention, group norm, SiLU, nearest upsampling, fused AdamW, CUDA memory
 * statistics) and gradient hooks, applied to
 * DJL's own tensors. It is optional: without it every op runs composed from DJL ops, which is also
 * the reference the fused kernels are tested against.
 *
 * <p>The library is named by the system property {@value #PATH_PROPERTY} or the environment variable
 * {@value #PATH_ENV} and must be built against the libtorch DJL loads. The system property
 * {@value #OPS_PROPERTY} (a comma list of {@code attention, group_norm, silu, upsample}, or {@code none}) picks
 * which ops run fused, for measuring each one; by default all do.
 */
public final class TorchExtension {
    public static final String PATH_PROPERTY = "sdspark.torch.extension";
    public static final String PATH_ENV = "SDSPARK_TORCH_EXTENSION";
    public static final String OPS_PROPERTY = "sdspark.torch.extension.ops";

    /** The ops that can run fused inside a model's forward. */
    public enum Op { ATTENTION, GROUP_NORM, SILU, UPSAMPLE }

    private static final boolean LOADED = load();
    private static final Set<Op> FUSED = LOADED ? fusedOps(System.getProperty(OPS_PROPERTY, "")) : EnumSet.noneOf(Op.class);

    private TorchExtension() {
    }

    public static boolean isLoaded() {
        return LOADED;
    }

    /** Whether {@code op} runs through the extension rather than composed. */
    public static boolean fuses(Op op) {
        return FUSED.contains(op);
    }

    /** PyTorch's scaled_dot_product_attention of (B, H, L, D) inputs; differentiable. */
    public static NDArray scaledDotProductAttention(NDArray q, NDArray k, NDArray v, boolean causal) {
        return wrap(q, scaledDotProductAttention(handle(q), handle(k), handle(v), causal));
    }

    /** {@code torch.nn.functional.group_norm}; differentiable. */
    public static NDArray groupNorm(NDArray x, int groups, NDArray weight, NDArray bias, double eps) {
        return wrap(x, groupNorm(handle(x), groups, handle(weight), handle(bias), eps));
    }

    /** {@code torch.nn.functional.silu}; differentiable. */
    public static NDArray silu(NDArray x) {
        return wrap(x, silu(handle(x)));
    }

    /** {@code torch.nn.functional.interpolate(x, size=(height, width), mode="nearest")}; differentiable. */
    public static NDArray upsampleNearest(NDArray x, long height, long width) {
        return wrap(x, upsampleNearest(handle(x), height, width));
    }

    /**
     * Hooks that write each of {@code parameters}' gradients into {@code flat} at its offset as
     * backward produces it (the first backward of a step copies, later ones add); returns their
     * handle for {@link #finishGradientHooks} and {@link #closeGradientHooks}.
     */
    public static long gradientHooks(NDArray flat, List<NDArray> parameters, long[] offsets) {
        return gradientHooks(handle(flat), handles(parameters), offsets);
    }

    /** Ends a step: zeroes the slices of parameters backward never reached, releases their own gradients. */
    public static void finishGradientHooks(long hooks) {
        gradientHooksFinish(hooks);
    }

    public static void closeGradientHooks(long hooks) {
        gradientHooksClose(hooks);
    }

    /** Copies {@code flat[offsets[i]...]} into {@code parameters[i]}, cast to its dtype, without recording. */
    public static void copyFromFlat(NDArray flat, List<NDArray> parameters, long[] offsets) {
        copyFromFlat(handle(flat), handles(parameters), offsets);
    }

    static long handle(NDArray array) {
        return array == null ? 0 : ((PtNDArray) array).getHandle();
    }

    static long[] handles(List<NDArray> arrays) {
        return arrays.stream().mapToLong(TorchExtension::handle).toArray();
    }

    private static NDArray wrap(NDArray like, long handle) {
        return new PtNDArray((PtNDManager) like.getManager(), handle);
    }

    private static Set<Op> fusedOps(String spec) {
        if (spec.isBlank()) {
            return EnumSet.allOf(Op.class);
        }
        Set<Op> ops = EnumSet.noneOf(Op.class);
        for (String name : spec.split(",")) {
            String op = name.strip().toUpperCase(Locale.ROOT);
            if (op.equals("NONE")) {
                continue;
            }
            try {
                ops.add(Op.valueOf(op));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(OPS_PROPERTY + ": unknown op '" + name.strip() + "'; one of "
                        + Arrays.toString(Op.values()).toLowerCase(Locale.ROOT) + " or none", e);
            }
        }
        return ops;
    }

    private static boolean load() {
        String configured = System.getProperty(PATH_PROPERTY, System.getenv(PATH_ENV));
        if (configured == null || configured.isBlank()) {
            return false;
        }
        Path path = Path.of(configured).toAbsolutePath();
        if (!Files.isRegularFile(path)) {
            throw new IllegalStateException("torch extension " + path + " (from " + PATH_PROPERTY + " / " + PATH_ENV
                    + ") does not exist");
        }
        // The extension links against libtorch: DJL must have loaded its libtorch first.
        String djlTorch = Engine.getEngine("PyTorch").getVersion();
        try {
            System.load(path.toString());
        } catch (UnsatisfiedLinkError e) {
            throw new IllegalStateException("cannot load the torch extension " + path + " into DJL's libtorch "
                    + djlTorch + ": " + e.getMessage(), e);
        }
        String built = torchVersion();
        if (!built.startsWith(djlTorch)) {
            throw new IllegalStateException("torch extension " + path + " was built for libtorch " + built
                    + " but DJL runs libtorch " + djlTorch + "; rebuild it against that one");
        }
        return true;
    }

    private static native String torchVersion();

    private static native long scaledDotProductAttention(long q, long k, long v, boolean causal);

    private static native long groupNorm(long x, int groups, long weight, long bias, double eps);

    private static native long silu(long x);

    private static native long upsampleNearest(long x, long height, long width);

    static native void fusedAdamW(long[] params, long[] grads, long[] expAvgs, long[] expAvgSqs, long[] steps,
                                  double lr, double beta1, double beta2, double weightDecay, double eps,
                                  long gradScale, long foundInf);

    private static native long gradientHooks(long flat, long[] parameters, long[] offsets);

    private static native void gradientHooksFinish(long hooks);

    private static native void gradientHooksClose(long hooks);

    private static native void copyFromFlat(long flat, long[] parameters, long[] offsets);

    static native boolean cudaGraphsBuilt();

    static native long stepGraphCreate(int device, long sharesMemoryWith);

    static native void stepGraphEnterOwnStream(long graph);

    static native void stepGraphLeaveOwnStream(long graph);

    static native void stepGraphCaptureBegin(long graph);

    static native void stepGraphCaptureEnd(long graph);

    static native void stepGraphReplay(long graph);

    static native void stepGraphClose(long graph);

    static native long[] cudaMemory(int device);

    static native void resetPeakMemory(int device);

    static native void synchronize(int device);
}
