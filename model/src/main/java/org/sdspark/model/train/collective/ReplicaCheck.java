package org.sdspark.model.train.collective;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import java.util.ArrayList;
import java.util.List;
import org.sdspark.model.train.Collective;

/**
 * Catches replicas whose weights have silently parted (a missed all-reduce, a nondeterministic
 * kernel, bad memory): every rank fingerprints the same strided sample of its weights, bit for
 * bit, and compares it with rank 0's. Data-parallel replicas must stay identical, since they apply
 * identical all-reduced gradients to identical weights; any difference is a fault, so the run stops.
 */
public final class ReplicaCheck {
    static final int SAMPLES = 4096;

    private ReplicaCheck() {
    }

    /** Throws on every rank, naming the ranks that differ from rank 0, when the replicas are not identical. */
    public static void verify(Collective collective, NDArray weights, long step) {
        if (collective.worldSize() == 1) {
            return;
        }
        NDManager manager = weights.getManager();
        long mine = fingerprint(weights);
        float[] parts = split(mine);
        boolean differs;
        try (NDManager scope = manager.newSubManager()) {
            NDArray leaders = scope.create(parts);
            collective.broadcast(leaders, 0);
            differs = join(leaders.toFloatArray()) != mine;
        }
        float[][] flags = RankValues.gather(collective, manager, differs ? 1 : 0);
        List<Integer> parted = new ArrayList<>();
        for (int r = 0; r < flags.length; r++) {
            if (flags[r][0] > 0.5f) {
                parted.add(r);
            }
        }
        if (!parted.isEmpty()) {
            throw new CollectiveException("after step " + step + " the weights of rank" + (parted.size() > 1 ? "s " : " ")
                    + parted + " differ from rank 0's: the replicas diverged (a rank missed an all-reduce, ran a"
                    + " nondeterministic kernel, or has faulty memory); stopping rather than training on");
        }
    }

    /** A 64-bit hash of the bits of an evenly strided sample of {@code weights} (1-d). */
    static long fingerprint(NDArray weights) {
        long stride = Math.max(1, weights.size() / SAMPLES);
        float[] sample;
        try (NDArray view = weights.get(new NDIndex("::{}", stride))) {
            sample = view.toFloatArray();
        }
        long hash = 0x9E37_79B9_7F4A_7C15L;
        for (float v : sample) {
            hash = (hash ^ Float.floatToRawIntBits(v)) * 0xBF58_476D_1CE4_E5B9L;
            hash ^= hash >>> 31;
        }
        return hash;
    }

    // A long as four 16-bit floats: integers below 2^24 are exact in float32.
    private static float[] split(long value) {
        float[] parts = new float[4];
        for (int i = 0; i < 4; i++) {
            parts[i] = (value >>> (16 * i)) & 0xffff;
        }
        return parts;
    }

    private static long join(float[] parts) {
        long value = 0;
        for (int i = 0; i < 4; i++) {
            value |= ((long) parts[i]) << (16 * i);
        }
        return value;
    }
}
