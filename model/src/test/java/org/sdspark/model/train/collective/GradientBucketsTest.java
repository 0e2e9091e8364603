package org.sdspark.model.train.collective;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.sdspark.model.train.FlatLayout;

class GradientBucketsTest {

    private static FlatLayout layout(long... sizes) {
        Map<String, long[]> shapes = new LinkedHashMap<>();
        for (int i = 0; i < sizes.length; i++) {
            shapes.put("p" + i, new long[] {sizes[i]});
        }
        return FlatLayout.of(shapes);
    }

    @Test
    void bucketsTakeWholeTensorsFromTheEndAndCoverTheBufferOnce() {
        FlatLayout layout = layout(1000, 10, 300, 700, 50, 5);
        GradientBuckets buckets = GradientBuckets.of(layout, 600);
        // from the end: 5 + 50 + 700 >= 600 closes bucket 0; 300 + 10 + 1000 closes bucket 1
        assertArrayEquals(new int[] {1, 1, 1, 0, 0, 0}, buckets.bucketOfEntry());
        List<FlatLayout.Entry> entries = layout.entries();
        assertArrayEquals(new long[] {entries.get(3).offset(), 0}, buckets.from());
        assertArrayEquals(new long[] {layout.length(), entries.get(3).offset()}, buckets.to());
        for (int i = 0; i < entries.size(); i++) {
            int b = buckets.bucketOfEntry()[i];
            assertTrue(buckets.from()[b] <= entries.get(i).offset() && entries.get(i).end() <= buckets.to()[b], "entry " + i);
        }
    }

    @Test
    void aTensorLargerThanABucketIsABucketOfItsOwn() {
        FlatLayout layout = layout(4, 5000, 3);
        GradientBuckets buckets = GradientBuckets.of(layout, 1000);
        assertArrayEquals(new int[] {1, 0, 0}, buckets.bucketOfEntry());
        assertEquals(2, buckets.count());
        assertArrayEquals(new long[] {layout.entries().get(1).offset(), 0}, buckets.from());
    }

    @Test
    void oneBucketWhenEverythingFits() {
        FlatLayout layout = layout(7, 9, 11);
        GradientBuckets buckets = GradientBuckets.of(layout, 1 << 20);
        assertArrayEquals(new int[] {0, 0, 0}, buckets.bucketOfEntry());
        assertArrayEquals(new long[] {0}, buckets.from());
        assertArrayEquals(new long[] {layout.length()}, buckets.to());
    }
}
