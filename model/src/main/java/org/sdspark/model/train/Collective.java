package org.sdspark.model.train;

import ai.djl.ndarray.NDArray;
import org.sdspark.model.nn.TorchExtension;

/**
 * How the processes of one data-parallel run meet: the training loop all-reduces the flat
 * gradients once per optimizer step and broadcasts the initial weights from rank 0. The
 * distributed job supplies real implementations (TCP ring on CPUs, NCCL on GPUs);
 * {@link #single()} is a run of one.
 */
public interface Collective {

    int rank();

    int worldSize();

    /** Replaces {@code flat} in place by the mean of every rank's {@code flat}. */
    void allReduceMean(NDArray flat);

    /**
     * A reducer that averages {@code parameters}' gradients into {@code gradients} (their flat
     * buffer) during backward, or null when this collective reduces only after backward.
     */
    default GradientReducer gradientReducer(FlatParameters parameters, NDArray gradients) {
        return null;
    }

    /** Replaces {@code flat} in place by rank {@code root}'s. */
    void broadcast(NDArray flat, int root);

    void barrier();

    /** Tells every rank to stop: this one failed for {@code why}. */
    void abort(String why);

    /** One process: every operation is the identity. */
    static Collective single() {
        return Single.INSTANCE;
    }

    /** The identity collective of a run of one. */
    enum Single implements Collective {
        INSTANCE;

        @Override
        public int rank() {
            return 0;
        }

        @Override
        public int worldSize() {
            return 1;
        }

        @Override
        public void allReduceMean(NDArray flat) {
        }

        /** With the torch extension, hooks fill the flat buffer during backward; nothing to reduce. */
        @Override
        public GradientReducer gradientReducer(FlatParameters parameters, NDArray gradients) {
            return TorchExtension.isLoaded() ? new HookedGradients(parameters, gradients) : null;
        }

        @Override
        public void broadcast(NDArray flat, int root) {
        }

        @Override
        public void barrier() {
        }

        @Override
        public void abort(String why) {
        }
    }
}
