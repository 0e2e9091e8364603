package org.sdspark.jobs.prep;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.api.java.function.FlatMapGroupsFunction;
import org.apache.spark.api.java.function.MapFunction;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.sdspark.prep.FilterSettings;
import org.sdspark.prep.filter.DedupCandidate;
import org.sdspark.prep.filter.DuplicateResolver;
import org.sdspark.prep.filter.Hamming;
import org.sdspark.prep.filter.PerceptualHash;
import org.sdspark.prep.filter.Rejection;
import org.sdspark.prep.filter.UnionFind;

/**
 * Exact and near duplicates across the whole dataset, the same whatever the partitioning.
 * Images are grouped by perceptual-hash band keys (and SHA-256), which puts every pair within the
 * distance into at least one group; each group contributes the edges of a spanning forest of its
 * close pairs; the connected components of those edges are resolved one by one with
 * {@link DuplicateResolver}, which gives the answer it would give for the whole set.
 */
final class Deduplicator {

    private final boolean exact;
    private final int distance;

    Deduplicator(FilterSettings filter) {
        this.exact = filter.exactDuplicates();
        this.distance = filter.nearDuplicateDistance();
    }

    /** Rejections (source, DUPLICATE or NEAR_DUPLICATE) among accepted INSPECTED rows. */
    List<Rejection> rejections(Dataset<Row> accepted) {
        if (!exact && distance == 0) {
            return List.of();
        }
        boolean exactDuplicates = exact;
        int maxDistance = distance;
        Dataset<Row> keyed = accepted.flatMap(
                (FlatMapFunction<Row, Row>) r -> keys(r, exactDuplicates, maxDistance),
                Encoders.row(PrepSchema.DEDUP));
        List<Row> edges = keyed
                .groupByKey((MapFunction<Row, String>) r -> r.getString(0), Encoders.STRING())
                .flatMapGroups((FlatMapGroupsFunction<String, Row, Row>) (key, members) ->
                                edges(members, exactDuplicates, maxDistance),
                        Encoders.row(PrepSchema.EDGE))
                .distinct()
                .collectAsList();
        return resolve(edges);
    }

    private static Iterator<Row> keys(Row r, boolean exact, int distance) {
        String source = r.getAs("source");
        String sha256 = r.getAs("sha256");
        long phash = r.getAs("phash");
        long pixels = (long) r.<Integer>getAs("width") * r.<Integer>getAs("height");
        List<Row> keyed = new ArrayList<>();
        if (exact) {
            keyed.add(RowFactory.create("s" + sha256, source, sha256, phash, pixels));
        }
        if (distance > 0) {
            for (long band : PerceptualHash.bands(phash, distance)) {
                keyed.add(RowFactory.create("b" + band, source, sha256, phash, pixels));
            }
        }
        return keyed.iterator();
    }

    /** Edges joining the members of one group that are duplicates of each other, at most n - 1 of them. */
    private static Iterator<Row> edges(Iterator<Row> members, boolean exact, int distance) {
        List<Row> all = new ArrayList<>();
        members.forEachRemaining(all::add);
        all.sort(Comparator.comparing(r -> r.getString(1)));
        UnionFind joined = new UnionFind();
        List<Row> edges = new ArrayList<>();
        for (int i = 0; i < all.size(); i++) {
            for (int j = i + 1; j < all.size(); j++) {
                Row a = all.get(i);
                Row b = all.get(j);
                boolean same = exact && a.getString(2).equals(b.getString(2));
                boolean near = distance > 0 && Hamming.distance(a.getLong(3), b.getLong(3)) <= distance;
                if ((same || near) && !joined.root(a.getString(1)).equals(joined.root(b.getString(1)))) {
                    joined.union(a.getString(1), b.getString(1));
                    edges.add(RowFactory.create(a.getString(1), a.getString(2), a.getLong(3), a.getLong(4),
                            b.getString(1), b.getString(2), b.getLong(3), b.getLong(4)));
                }
            }
        }
        return edges.iterator();
    }

    private List<Rejection> resolve(List<Row> edges) {
        Map<String, DedupCandidate> candidates = new HashMap<>();
        UnionFind components = new UnionFind();
        for (Row e : edges) {
            candidates.put(e.getString(0), new DedupCandidate(e.getString(0), e.getString(1), e.getLong(2), e.getLong(3)));
            candidates.put(e.getString(4), new DedupCandidate(e.getString(4), e.getString(5), e.getLong(6), e.getLong(7)));
            components.union(e.getString(0), e.getString(4));
        }
        DuplicateResolver resolver = new DuplicateResolver(exact, distance);
        List<Rejection> rejections = new ArrayList<>();
        for (List<String> component : components.components()) {
            rejections.addAll(resolver.resolve(component.stream().map(candidates::get).toList()));
        }
        return rejections;
    }
}
