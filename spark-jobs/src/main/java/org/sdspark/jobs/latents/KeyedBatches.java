package org.sdspark.jobs.latents;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.function.Function;

/**
 * Items of any order as batches of at most {@code size} items that share a key (images of one
 * bucket size): a batch is handed out as soon as it is full, and the partly filled ones, in the
 * order of their first items, once the items run out. Holds at most {@code size - 1} items per
 * key besides the batch handed out.
 */
final class KeyedBatches<T, K> implements Iterator<List<T>> {
    private final Iterator<T> items;
    private final Function<T, K> key;
    private final int size;
    private final Map<K, List<T>> open = new LinkedHashMap<>();
    private final Deque<List<T>> ready = new ArrayDeque<>();

    KeyedBatches(Iterator<T> items, Function<T, K> key, int size) {
        if (size < 1) {
            throw new IllegalArgumentException("batch size " + size);
        }
        this.items = items;
        this.key = key;
        this.size = size;
    }

    @Override
    public boolean hasNext() {
        while (ready.isEmpty() && items.hasNext()) {
            T item = items.next();
            K k = key.apply(item);
            List<T> batch = open.computeIfAbsent(k, x -> new ArrayList<>(size));
            batch.add(item);
            if (batch.size() == size) {
                ready.add(open.remove(k));
            }
        }
        if (ready.isEmpty() && !open.isEmpty()) {
            ready.addAll(open.values());
            open.clear();
        }
        return !ready.isEmpty();
    }

    @Override
    public List<T> next() {
        if (!hasNext()) {
            throw new NoSuchElementException();
        }
        return ready.poll();
    }
}
