package org.sdspark.prep.filter;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class DuplicateResolverTest {
    private final DuplicateResolver resolver = new DuplicateResolver(true, 4);

    private static DedupCandidate c(String id, String sha, long phash, long pixels) {
        return new DedupCandidate(id, sha, phash, pixels);
    }

    @Test
    void exactDuplicatesKeepTheSmallestId() {
        var result = resolver.resolve(List.of(c("b", "s1", 0xF0L, 100), c("a", "s1", 0xF0L, 100), c("c", "s1", 0xF0L, 100)));
        assertThat(result).containsExactly(
                new Rejection("b", Reason.DUPLICATE, "same bytes as a"),
                new Rejection("c", Reason.DUPLICATE, "same bytes as a"));
    }

    @Test
    void nearDuplicatesKeepTheLargerImageThenTheSmallerId() {
        // visiting order b (400), c (400, larger id), a (100), z (1): b is kept, c and a fall to it, z is far
        var result = resolver.resolve(List.of(
                c("a", "s1", 0b0000L, 100), c("b", "s2", 0b0111L, 400), c("c", "s3", 0b0011L, 400), c("z", "s4", ~0L, 1)));
        assertThat(result).containsExactly(
                new Rejection("a", Reason.NEAR_DUPLICATE, "near duplicate of b (hash distance 3, max 4)"),
                new Rejection("c", Reason.NEAR_DUPLICATE, "near duplicate of b (hash distance 1, max 4)"));
    }

    @Test
    void chainsDoNotRejectImagesFarFromEveryKeptOne() {
        // a ~ b (4 bits), b ~ c (4 bits), a and c 8 bits apart: b goes, a and c both stay
        long a = 0L;
        long b = 0xFL;
        long c = 0xFFL;
        var result = resolver.resolve(List.of(c("a", "1", a, 300), c("b", "2", b, 200), c("c", "3", c, 100)));
        assertThat(result).containsExactly(new Rejection("b", Reason.NEAR_DUPLICATE, "near duplicate of a (hash distance 4, max 4)"));
    }

    @Test
    void resultIsIndependentOfInputOrderAndIdempotent() {
        Random r = new Random(11);
        List<DedupCandidate> candidates = new ArrayList<>();
        long[] bases = {r.nextLong(), r.nextLong(), r.nextLong(), r.nextLong()};
        for (int i = 0; i < 200; i++) {
            long hash = bases[i % bases.length];
            for (int k = r.nextInt(7); k > 0; k--) hash ^= 1L << r.nextInt(64);
            String sha = i % 10 == 0 ? "same" : "sha" + i;
            candidates.add(c(String.format("img%03d", i), sha, hash, 1000 + r.nextInt(5) * 100L));
        }
        List<Rejection> expected = resolver.resolve(candidates);
        assertThat(expected).extracting(Rejection::reason).contains(Reason.DUPLICATE, Reason.NEAR_DUPLICATE);
        for (int round = 0; round < 20; round++) {
            List<DedupCandidate> shuffled = new ArrayList<>(candidates);
            Collections.shuffle(shuffled, new Random(round));
            assertThat(resolver.resolve(shuffled)).isEqualTo(expected);
        }
        var rejectedIds = expected.stream().map(Rejection::source).toList();
        var survivors = candidates.stream().filter(x -> !rejectedIds.contains(x.id())).toList();
        assertThat(resolver.resolve(survivors)).isEmpty();
    }

    @Test
    void perComponentResolutionEqualsWholeSetResolution() {
        Random r = new Random(5);
        List<DedupCandidate> candidates = new ArrayList<>();
        for (int i = 0; i < 120; i++) {
            long hash = (i % 6) * 0x0123456789ABCDEFL;
            for (int k = r.nextInt(6); k > 0; k--) hash ^= 1L << r.nextInt(64);
            candidates.add(c("id" + i, "sha" + i, hash, 500 + r.nextInt(3)));
        }
        UnionFind components = new UnionFind();
        for (DedupCandidate x : candidates) {
            components.add(x.id());
            for (DedupCandidate y : candidates) {
                if (Hamming.distance(x.phash(), y.phash()) <= 4) components.union(x.id(), y.id());
            }
        }
        List<Rejection> pieced = new ArrayList<>();
        for (List<String> ids : components.components()) {
            pieced.addAll(resolver.resolve(candidates.stream().filter(x -> ids.contains(x.id())).toList()));
        }
        pieced.sort(java.util.Comparator.comparing(Rejection::source));
        assertThat(pieced).isEqualTo(resolver.resolve(candidates)).isNotEmpty();
    }

    @Test
    void switchesAndValidation() {
        var same = List.of(c("a", "s", 0L, 1), c("b", "s", 0L, 1));
        assertThat(new DuplicateResolver(false, 0).resolve(same)).isEmpty();
        assertThat(new DuplicateResolver(false, 4).resolve(same)).extracting(Rejection::reason).containsExactly(Reason.NEAR_DUPLICATE);
        assertThatThrownBy(() -> resolver.resolve(List.of(c("a", "s", 0L, 1), c("a", "t", 0L, 1))))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("a");
    }

    @Test
    void unionFindComponentsAreSortedAndOrderFree() {
        UnionFind uf = new UnionFind();
        uf.union("d", "b");
        uf.union("b", "a");
        uf.add("c");
        assertThat(uf.components()).containsExactly(List.of("a", "b", "d"), List.of("c"));
        assertThat(uf.root("d")).isEqualTo("a");
    }
}
