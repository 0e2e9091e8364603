package org.sdspark.model.train.optim;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.util.List;
import org.sdspark.model.train.FlatLayout;

/**
 * AdamW with 8-bit states as bitsandbytes' {@code AdamW8bit} keeps them: both moments stored as
 * one byte per element, blockwise over blocks of 256 with a float scale (the block's largest
 * magnitude) each, on the dynamic map (signed for the first moment, unsigned for the second).
 * Each step dequantises, updates in fp32 as bitsandbytes does, and requantises to the nearest code.
 * Blocks never straddle two tensors: the flat layout aligns every tensor to 256.
 *
 * <p>State memory is 2 bytes per parameter plus 8 per block, against AdamW's 8 per parameter.
 * bitsandbytes keeps tensors under 4096 elements in 32-bit states; here every tensor is 8-bit.
 */
public final class AdamW8bit implements Optimizer {
    static final int BLOCK = FlatLayout.ALIGNMENT;

    private final double beta1;
    private final double beta2;
    private final double eps;
    private final NDManager manager;
    private final Quantised first;
    private final Quantised second;

    public AdamW8bit(NDManager parent, long length, double beta1, double beta2, double eps) {
        if (length % BLOCK != 0) {
            throw new IllegalArgumentException("flat length " + length + " is not a multiple of " + BLOCK);
        }
        this.beta1 = beta1;
        this.beta2 = beta2;
        this.eps = eps;
        this.manager = parent.newSubManager();
        this.first = new Quantised(manager, "state1", length, DynamicMap.codes(true));
        this.second = new Quantised(manager, "state2", length, DynamicMap.codes(false));
    }

    @Override
    public void step(NDArray parameters, NDArray gradients, List<Segment> segments, long step) {
        double bc1 = 1 - Math.pow(beta1, step);
        double bc2Sqrt = Math.sqrt(1 - Math.pow(beta2, step));
        try (NDManager scope = manager.newSubManager()) {
            for (Segment s : segments) {
                if (s.from() % BLOCK != 0 || s.to() % BLOCK != 0) {
                    throw new IllegalArgumentException("segment [" + s.from() + ", " + s.to() + ") is not aligned to " + BLOCK);
                }
                NDArray p = SegmentViews.of(parameters, s, scope);
                NDArray g = SegmentViews.of(gradients, s, scope);
                NDArray m = first.read(scope, s).muli(beta1).addi(g.mul(1 - beta1));
                NDArray v = second.read(scope, s).muli(beta2).addi(g.mul(g).muli(1 - beta2));
                p.muli(1 - s.lr() * s.weightDecay());
                NDArray denom = v.sqrt().divi(bc2Sqrt).addi(eps);
                p.subi(m.div(denom).muli(s.lr() / bc1));
                first.write(scope, s, m);
                second.write(scope, s, v);
            }
        }
    }

    @Override
    public List<OptimizerState> state() {
        return List.of(new OptimizerState("state1", first.codes, 1), new OptimizerState("absmax1", first.absmax, BLOCK),
                new OptimizerState("state2", second.codes, 1), new OptimizerState("absmax2", second.absmax, BLOCK));
    }

    @Override
    public void close() {
        manager.close();
    }

    /** One moment: uint8 codes per element and a float scale per block. */
    private static final class Quantised {
        private final NDArray codes;
        private final NDArray absmax;
        private final NDArray map;
        private final NDArray thresholds;

        Quantised(NDManager manager, String name, long length, float[] codeValues) {
            this.codes = manager.zeros(new Shape(length), DataType.UINT8);
            this.map = manager.create(codeValues);
            this.thresholds = manager.create(DynamicMap.thresholds(codeValues));
            int zero = java.util.Arrays.binarySearch(codeValues, 0f);
            codes.addi(zero); // every element starts at the code of 0
            this.absmax = manager.ones(new Shape(length / BLOCK), DataType.FLOAT32);
        }

        NDArray read(NDManager scope, Segment s) {
            NDArray q = SegmentViews.of(codes, s, scope);
            NDArray scale = SegmentViews.of(absmax, s.from() / BLOCK, s.to() / BLOCK, scope);
            return map.take(scope, q.toType(DataType.INT64, false)).reshape(-1, BLOCK).muli(scale.reshape(-1, 1)).reshape(-1);
        }

        void write(NDManager scope, Segment s, NDArray values) {
            NDArray blocks = values.reshape(-1, BLOCK);
            NDArray scale = blocks.abs().max(new int[] {1}, true);
            scale = scale.add(scale.eq(0).toType(DataType.FLOAT32, false)); // an all-zero block keeps scale 1
            NDArray normalised = blocks.div(scale).reshape(-1);
            NDArray index = scope.zeros(normalised.getShape(), DataType.INT64);
            for (int step = 128; step >= 1; step /= 2) {
                NDArray candidate = index.add(step);
                NDArray above = normalised.gt(thresholds.take(scope, candidate.sub(1)));
                index = index.add(above.toType(DataType.INT64, false).mul(step));
            }
            codes.set(SegmentViews.range(s.from(), s.to()), index.toType(DataType.UINT8, false));
            absmax.set(SegmentViews.range(s.from() / BLOCK, s.to() / BLOCK), scale.reshape(-1));
        }
    }
}
