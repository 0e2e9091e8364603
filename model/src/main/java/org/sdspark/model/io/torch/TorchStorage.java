package org.sdspark.model.io.torch;

import org.sdspark.model.io.DType;

/**
 * A storage as a checkpoint's pickle names it (a persistent id): the archive record {@code key}
 * holding its bytes, its element type, and where this view of it starts, in elements (non-zero
 * only for the storage views of old legacy files).
 */
record TorchStorage(String key, DType dtype, long elementOffset) {
}
