package org.sdspark.model.train;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Where each selected tensor lives in the one flat fp32 buffer: keys in tree order, each at an
 * offset that is a multiple of {@link #ALIGNMENT} (the gaps hold zeros and stay zero). Aligned
 * offsets make every blockwise quantisation block of the 8-bit optimizer belong to one tensor, as
 * bitsandbytes quantises each tensor on its own, and give all-reduce buckets aligned starts.
 */
public final class FlatLayout {
    public static final int ALIGNMENT = 256;

    /** One tensor's place: elements [offset, offset + size). */
    public record Entry(String key, long[] shape, long offset, long size) {
        public long end() {
            return offset + size;
        }

        public String shapeText() {
            return Arrays.toString(shape);
        }
    }

    private final Map<String, Entry> entries;
    private final long length;

    private FlatLayout(Map<String, Entry> entries, long length) {
        this.entries = entries;
        this.length = length;
    }

    /** Lays out {@code shapes} (key → shape) in iteration order. */
    public static FlatLayout of(Map<String, long[]> shapes) {
        Map<String, Entry> entries = new LinkedHashMap<>();
        long offset = 0;
        for (Map.Entry<String, long[]> e : shapes.entrySet()) {
            long size = Arrays.stream(e.getValue()).reduce(1, Math::multiplyExact);
            entries.put(e.getKey(), new Entry(e.getKey(), e.getValue().clone(), offset, size));
            offset = align(offset + size);
        }
        return new FlatLayout(entries, offset);
    }

    static long align(long n) {
        return (n + ALIGNMENT - 1) / ALIGNMENT * ALIGNMENT;
    }

    /** Total elements, gaps included (a multiple of {@link #ALIGNMENT}). */
    public long length() {
        return length;
    }

    public List<Entry> entries() {
        return new ArrayList<>(entries.values());
    }

    public List<String> keys() {
        return new ArrayList<>(entries.keySet());
    }

    public Entry entry(String key) {
        Entry e = entries.get(key);
        if (e == null) {
            throw new IllegalArgumentException("'" + key + "' is not in the trained selection");
        }
        return e;
    }

    /** Elements actually holding parameters (without the alignment gaps). */
    public long parameterCount() {
        return entries.values().stream().mapToLong(Entry::size).sum();
    }

    /**
     * [from, to) covering exactly the entries whose keys start with {@code prefix}, which must be
     * contiguous (a component's keys are, in tree order); null when none match.
     */
    public long[] range(String prefix) {
        long from = -1;
        long to = -1;
        boolean ended = false;
        for (Entry e : entries.values()) {
            if (e.key().startsWith(prefix)) {
                if (ended) {
                    throw new IllegalStateException("keys under '" + prefix + "' are not contiguous in the layout");
                }
                from = from < 0 ? e.offset() : from;
                to = align(e.end());
            } else if (from >= 0) {
                ended = true;
            }
        }
        return from < 0 ? null : new long[] {from, to};
    }
}
