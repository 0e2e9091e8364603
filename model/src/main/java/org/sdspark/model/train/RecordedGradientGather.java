package org.sdspark.model.train;

import ai.djl.ndarray.NDArray;
import org.sdspark.model.nn.CudaGraphStep;

/**
 * For micro-batches that replay {@link MicroBatchGraphs}: gradients accumulate in the parameters'
 * own tensors (a graph cannot replay the hooks' bookkeeping), and the step's gather of them into
 * the flat buffer, with their zeroing, is recorded once as a CUDA graph too: hundreds of copies
 * launched as one. Several ranks then all-reduce the whole buffer after backward, not bucket by
 * bucket during it.
 */
final class RecordedGradientGather implements GradientReducer {
    private final FlatParameters parameters;
    private final NDArray flat;
    private final Collective collective;
    private CudaGraphStep gather;

    RecordedGradientGather(FlatParameters parameters, NDArray flat, Collective collective) {
        this.parameters = parameters;
        this.flat = flat;
        this.collective = collective;
    }

    @Override
    public void beforeBackward(boolean last) {
    }

    @Override
    public void finish() {
        if (gather == null) {
            gather = CudaGraphStep.capture(flat.getDevice(), 0, () -> Autograd.paused(() -> {
                parameters.copyGradients(flat);
                parameters.zeroGradients();
            }));
        }
        gather.replay();
        if (collective.worldSize() > 1) {
            collective.allReduceMean(flat);
        }
    }

    @Override
    public void close() {
        if (gather != null) {
            gather.close();
        }
    }
}
