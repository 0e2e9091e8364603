package org.sdspark.prep.filter;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** Connected components over string ids, for joining near-duplicate candidate pairs. */
public final class UnionFind {
    private final Map<String, String> parent = new HashMap<>();

    public void add(String id) {
        parent.putIfAbsent(id, id);
    }

    public void union(String a, String b) {
        String ra = root(a);
        String rb = root(b);
        if (ra.equals(rb)) return;
        // the smaller id becomes the root so that roots do not depend on the order of unions
        if (ra.compareTo(rb) < 0) parent.put(rb, ra);
        else parent.put(ra, rb);
    }

    public String root(String id) {
        add(id);
        String r = id;
        while (!parent.get(r).equals(r)) r = parent.get(r);
        String node = id;
        while (!node.equals(r)) {
            String next = parent.get(node);
            parent.put(node, r);
            node = next;
        }
        return r;
    }

    /** Every component, members sorted, components ordered by their smallest member. */
    public List<List<String>> components() {
        Map<String, List<String>> byRoot = new TreeMap<>();
        for (String id : new ArrayList<>(parent.keySet())) byRoot.computeIfAbsent(root(id), k -> new ArrayList<>()).add(id);
        List<List<String>> result = new ArrayList<>();
        for (List<String> members : byRoot.values()) {
            members.sort(Comparator.naturalOrder());
            result.add(List.copyOf(members));
        }
        return result;
    }
}
