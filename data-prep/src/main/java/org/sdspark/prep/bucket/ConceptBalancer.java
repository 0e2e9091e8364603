package org.sdspark.prep.bucket;

import java.util.Collection;
import java.util.Map;
import java.util.TreeMap;

/**
 * Repeats per concept for one epoch. Without balancing the folder repeats stand (kohya). With
 * balancing every concept is repeated until it contributes about as many samples as the largest
 * concept has images: {@code repeats = max(1, round(maxImages / images))}; the folder repeats
 * are ignored because they were the manual way of doing the same thing.
 */
public final class ConceptBalancer {
    private ConceptBalancer() {}

    public static Map<String, Integer> repeats(Collection<ConceptCount> concepts, boolean balance) {
        Map<String, Integer> result = new TreeMap<>();
        int maxImages = concepts.stream().mapToInt(ConceptCount::images).max().orElse(0);
        for (ConceptCount c : concepts) {
            if (c.repeats() < 1) throw new IllegalArgumentException("concept " + c.concept() + " has repeats " + c.repeats());
            int repeats = !balance || c.images() == 0 ? c.repeats() : (int) Math.max(1, Math.round((double) maxImages / c.images()));
            result.merge(c.concept(), repeats, (a, b) -> {
                throw new IllegalArgumentException("concept " + c.concept() + " listed twice");
            });
        }
        return result;
    }
}
