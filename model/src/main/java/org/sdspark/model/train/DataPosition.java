package org.sdspark.model.train;

/**
 * Where a run stands in its data: the epoch and the index, within that epoch, of the next
 * micro-batch to train on. A source asked for an index past its epoch's end starts the next epoch.
 */
public record DataPosition(long epoch, long batch) {
    public static final DataPosition START = new DataPosition(0, 0);

    public DataPosition {
        if (epoch < 0 || batch < 0) {
            throw new IllegalArgumentException("negative data position " + epoch + "/" + batch);
        }
    }

    public DataPosition next() {
        return new DataPosition(epoch, batch + 1);
    }
}
