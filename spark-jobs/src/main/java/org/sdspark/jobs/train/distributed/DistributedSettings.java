package org.sdspark.jobs.train.distributed;

import java.io.Serializable;
import org.sdspark.model.train.collective.Backend;
import org.sdspark.model.train.collective.CollectiveSettings;
import org.sdspark.model.train.collective.WireFormat;
import org.sdspark.prep.Block;

/**
 * {@code sdspark.train.distributed}: how many data-parallel workers (one barrier task each, one
 * GPU each where the cluster has GPUs), which collective backend, and its buckets, wire precision
 * and timeout; how often the replicas' weights are compared.
 */
public record DistributedSettings(int workers, Backend backend, CollectiveSettings collective, int checksumEvery)
        implements Serializable {

    public static final String PATH = "sdspark.train.distributed";

    public DistributedSettings {
        if (workers < 1) {
            throw new IllegalArgumentException("workers must be >= 1, got " + workers);
        }
        if (checksumEvery < 0) {
            throw new IllegalArgumentException("checksum-every must be >= 0, got " + checksumEvery);
        }
    }

    /** Reads the block at {@link #PATH} of a resolved configuration; errors name the key. */
    public static DistributedSettings read(Block train) {
        Block d = train.child("distributed");
        int bucketMb = d.positive("bucket-mb");
        if (bucketMb > 1024) {
            throw d.bad("bucket-mb", "must be <= 1024, got " + bucketMb);
        }
        var timeout = d.getDuration("timeout");
        if (timeout.isZero() || timeout.isNegative()) {
            throw d.bad("timeout", "must be positive, got " + timeout);
        }
        return new DistributedSettings(d.positive("workers"), d.choice("backend", Backend.class),
                new CollectiveSettings(d.choice("all-reduce-precision", WireFormat.class), (long) bucketMb << 20, timeout),
                d.atLeast("checksum-every", 0));
    }
}
