package org.sdspark.prep.filter;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.sdspark.prep.FilterSettings;

/**
 * Picks which accepted images are duplicates. The result depends only on the set of candidates,
 * never on their order, and resolving the survivors again rejects nothing.
 *
 * <p>Exact duplicates (same SHA-256) keep the smallest id. Among the remaining images, candidates
 * are visited largest first (pixels descending, then id ascending); one is kept unless a kept
 * image lies within the configured Hamming distance, in which case it is a near duplicate of the
 * nearest such kept image. Visiting in that fixed order is what makes the outcome independent of
 * input order.
 *
 * <p>At scale, group candidates by {@link PerceptualHash#bands} keys to find pairs within the
 * distance, join those pairs into connected components ({@link UnionFind}), and resolve each
 * component on its own: a decision only ever looks at neighbours, which share the component, so
 * per-component answers equal the answer for the whole set. Resolving each band group on its own
 * instead would not be consistent, because one image sits in several groups.
 */
public final class DuplicateResolver {
    private static final Comparator<DedupCandidate> LARGEST_FIRST =
            Comparator.comparingLong(DedupCandidate::pixels).reversed().thenComparing(DedupCandidate::id);

    private final boolean exactDuplicates;
    private final int maxDistance;

    public DuplicateResolver(boolean exactDuplicates, int maxDistance) {
        if (maxDistance < 0 || maxDistance > 63) {
            throw new IllegalArgumentException("maxDistance must be in 0..63, got " + maxDistance);
        }
        this.exactDuplicates = exactDuplicates;
        this.maxDistance = maxDistance;
    }

    public DuplicateResolver(FilterSettings settings) {
        this(settings.exactDuplicates(), settings.nearDuplicateDistance());
    }

    /** Rejections (source = candidate id) sorted by id; candidates not listed are kept. */
    public List<Rejection> resolve(Collection<DedupCandidate> candidates) {
        requireUniqueIds(candidates);
        List<Rejection> rejected = new ArrayList<>();
        List<DedupCandidate> survivors = exactDuplicates ? dropExact(candidates, rejected) : List.copyOf(candidates);
        if (maxDistance > 0) rejected.addAll(dropNear(survivors));
        rejected.sort(Comparator.comparing(Rejection::source));
        return rejected;
    }

    private static List<DedupCandidate> dropExact(Collection<DedupCandidate> candidates, List<Rejection> rejected) {
        Map<String, List<DedupCandidate>> bySha = new TreeMap<>();
        for (DedupCandidate c : candidates) bySha.computeIfAbsent(c.sha256(), k -> new ArrayList<>()).add(c);
        List<DedupCandidate> survivors = new ArrayList<>();
        for (List<DedupCandidate> same : bySha.values()) {
            same.sort(Comparator.comparing(DedupCandidate::id));
            DedupCandidate kept = same.get(0);
            survivors.add(kept);
            for (DedupCandidate c : same.subList(1, same.size())) {
                rejected.add(new Rejection(c.id(), Reason.DUPLICATE, "same bytes as " + kept.id()));
            }
        }
        return survivors;
    }

    private List<Rejection> dropNear(List<DedupCandidate> candidates) {
        List<DedupCandidate> ordered = new ArrayList<>(candidates);
        ordered.sort(LARGEST_FIRST);
        Map<Long, List<DedupCandidate>> keptByBand = new HashMap<>();
        List<Rejection> rejected = new ArrayList<>();
        for (DedupCandidate c : ordered) {
            long[] bands = PerceptualHash.bands(c.phash(), maxDistance);
            DedupCandidate nearest = nearestKept(c, bands, keptByBand);
            if (nearest == null) {
                for (long band : bands) keptByBand.computeIfAbsent(band, k -> new ArrayList<>()).add(c);
            } else {
                rejected.add(new Rejection(c.id(), Reason.NEAR_DUPLICATE, "near duplicate of " + nearest.id()
                        + " (hash distance " + Hamming.distance(c.phash(), nearest.phash()) + ", max " + maxDistance + ")"));
            }
        }
        return rejected;
    }

    private DedupCandidate nearestKept(DedupCandidate c, long[] bands, Map<Long, List<DedupCandidate>> keptByBand) {
        DedupCandidate best = null;
        int bestDistance = Integer.MAX_VALUE;
        for (long band : bands) {
            for (DedupCandidate k : keptByBand.getOrDefault(band, List.of())) {
                int d = Hamming.distance(c.phash(), k.phash());
                if (d > maxDistance) continue;
                if (d < bestDistance || (d == bestDistance && LARGEST_FIRST.compare(k, best) < 0)) {
                    best = k;
                    bestDistance = d;
                }
            }
        }
        return best;
    }

    private static void requireUniqueIds(Collection<DedupCandidate> candidates) {
        var seen = new HashSet<String>();
        for (DedupCandidate c : candidates) {
            if (!seen.add(c.id())) throw new IllegalArgumentException("duplicate candidate id " + c.id());
        }
    }
}
