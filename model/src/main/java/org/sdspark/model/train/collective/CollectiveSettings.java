package org.sdspark.model.train.collective;

import java.io.Serializable;
import java.time.Duration;

/**
 * How the ranks of a run exchange gradients: in buckets of {@code bucketBytes} (of float32 data),
 * as float32 or float16 on the wire, and how long any one wait may last before the run is declared
 * broken (a peer that died or hung).
 */
public record CollectiveSettings(WireFormat wire, long bucketBytes, Duration timeout) implements Serializable {
    public static final CollectiveSettings DEFAULT = new CollectiveSettings(WireFormat.FP32, 25L << 20, Duration.ofMinutes(10));

    public CollectiveSettings {
        if (bucketBytes < 4 || bucketBytes > Integer.MAX_VALUE / 2) {
            throw new IllegalArgumentException("all-reduce bucket of " + bucketBytes + " bytes; between 4 bytes and 1 GiB");
        }
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("collective timeout must be positive, got " + timeout);
        }
    }

    /** Float32 values per bucket. */
    public int bucketElements() {
        return (int) (bucketBytes / 4);
    }
}
