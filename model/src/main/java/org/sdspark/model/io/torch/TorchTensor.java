package org.sdspark.model.io.torch;

import java.util.Arrays;

/**
 * A tensor as {@code torch._utils._rebuild_tensor_v2} describes it: a window of a storage, from
 * element {@code offset} with {@code shape} and {@code stride} (in elements). Nothing is read
 * until the tensor's bytes are asked for.
 */
record TorchTensor(TorchStorage storage, long offset, long[] shape, long[] stride) {

    long elementCount() {
        long n = 1;
        for (long d : shape) {
            n *= d;
        }
        return n;
    }

    /** Row-major with no gaps, so its bytes are one slice of the storage (size-1 axes may have any stride). */
    boolean isContiguous() {
        long expected = 1;
        for (int i = shape.length - 1; i >= 0; i--) {
            if (shape[i] != 1 && stride[i] != expected) {
                return false;
            }
            expected *= shape[i];
        }
        return true;
    }

    /** One past the last storage element the tensor touches, relative to the storage view (offset for an empty tensor). */
    long endElement() {
        if (elementCount() == 0) {
            return offset;
        }
        long last = offset;
        for (int i = 0; i < shape.length; i++) {
            last += (shape[i] - 1) * stride[i];
        }
        return last + 1;
    }

    String shapeString() {
        return Arrays.toString(shape);
    }
}
