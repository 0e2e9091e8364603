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
                .groupByKey((MapFunction<Row, String>) r -> r.getAs("key"), Encoders.STRING())
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
        List<String> keys = new ArrayList<>();
        if (exact) {
            keys.add("s" + sha256);
        }
        if (distance > 0) {
            for (long band : PerceptualHash.bands(phash, distance)) {
                keys.add("b" + band);
            }
        }
        return keys.stream().map(key -> new RowBuilder(PrepSchema.DEDUP).set("key", key).set("source", source)
                .set("sha256", sha256).set("phash", phash).set("pixels", pixels).build()).iterator();
    }

    /** Edges joining the members of one group that are duplicates of each other, at most n - 1 of them. */
    private static Iterator<Row> edges(Iterator<Row> members, boolean exact, int distance) {
        List<Row> all = new ArrayList<>();
        members.forEachRemaining(all::add);
        all.sort(Comparator.comparing(r -> r.<String>getAs("source")));
        UnionFind joined = new UnionFind();
        List<Row> edges = new ArrayList<>();
        for (int i = 0; i < all.size(); i++) {
            for (int j = i + 1; j < all.size(); j++) {
                Row a = all.get(i);
                Row b = all.get(j);
                boolean same = exact && a.getAs("sha256").equals(b.getAs("sha256"));
                boolean near = distance > 0 && Hamming.distance(a.<Long>getAs("phash"), b.<Long>getAs("phash")) <= distance;
                if ((same || near) && !joined.root(a.getAs("source")).equals(joined.root(b.getAs("source")))) {
                    joined.union(a.getAs("source"), b.getAs("source"));
                    RowBuilder edge = new RowBuilder(PrepSchema.EDGE);
                    edges.add(end(end(edge, "a", a), "b", b).build());
                }
            }
        }
        return edges.iterator();
    }

    /** Columns {@code side}, {@code side_sha256}, ... of an EDGE row: the DEDUP row {@code r}'s facts. */
    private static RowBuilder end(RowBuilder edge, String side, Row r) {
        return edge.set(side, r.getAs("source")).set(side + "_sha256", r.getAs("sha256"))
                .set(side + "_phash", r.getAs("phash")).set(side + "_pixels", r.getAs("pixels"));
    }

    private static DedupCandidate end(Row edge, String side) {
        return new DedupCandidate(edge.getAs(side), edge.getAs(side + "_sha256"), edge.<Long>getAs(side + "_phash"),
                edge.<Long>getAs(side + "_pixels"));
    }

    private List<Rejection> resolve(List<Row> edges) {
        Map<String, DedupCandidate> candidates = new HashMap<>();
        UnionFind components = new UnionFind();
        for (Row e : edges) {
            DedupCandidate a = end(e, "a");
            DedupCandidate b = end(e, "b");
            candidates.put(a.id(), a);
            candidates.put(b.id(), b);
            components.union(a.id(), b.id());
        }
        DuplicateResolver resolver = new DuplicateResolver(exact, distance);
        List<Rejection> rejections = new ArrayList<>();
        for (List<String> component : components.components()) {
            rejections.addAll(resolver.resolve(component.stream().map(candidates::get).toList()));
        }
        return rejections;
    }
}
