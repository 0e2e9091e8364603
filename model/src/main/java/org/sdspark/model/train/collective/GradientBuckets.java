package org.sdspark.model.train.collective;

import java.util.ArrayList;
import java.util.List;
import org.sdspark.model.train.FlatLayout;

/**
 * The flat gradient buffer cut into all-reduce buckets for reduction during backward: whole
 * tensors, taken from the end of the layout (backward produces the last layers' gradients first),
 * a bucket closed once it holds at least {@code bucketElements}. Bucket 0 covers the end of the
 * buffer; together they cover [0, length) with no overlap, alignment gaps included, so every
 * element is reduced exactly once. Every rank builds the same buckets from the same layout and
 * launches them in index order, as NCCL needs.
 *
 * @param from first element of each bucket
 * @param to end (exclusive) of each bucket
 * @param bucketOfEntry the bucket of each layout entry, in {@link FlatLayout#entries()} order
 */
public record GradientBuckets(long[] from, long[] to, int[] bucketOfEntry) {

    public static GradientBuckets of(FlatLayout layout, long bucketElements) {
        if (bucketElements < 1) {
            throw new IllegalArgumentException("a bucket holds at least one element, got " + bucketElements);
        }
        List<FlatLayout.Entry> entries = layout.entries();
        int[] bucketOf = new int[entries.size()];
        List<long[]> ranges = new ArrayList<>();
        long end = layout.length();
        long filled = 0;
        for (int i = entries.size() - 1; i >= 0; i--) {
            bucketOf[i] = ranges.size();
            filled += entries.get(i).size();
            boolean last = i == 0;
            if (filled >= bucketElements || last) {
                long start = last ? 0 : entries.get(i).offset();
                ranges.add(new long[] {start, end});
                end = start;
                filled = 0;
            }
        }
        return new GradientBuckets(ranges.stream().mapToLong(r -> r[0]).toArray(),
                ranges.stream().mapToLong(r -> r[1]).toArray(), bucketOf);
    }

    public int count() {
        return from.length;
    }
}
