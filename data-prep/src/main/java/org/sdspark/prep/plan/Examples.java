package org.sdspark.prep.plan;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.sdspark.prep.bucket.Bucket;

/**
 * The part of a plan that no epoch changes: the examples and their bucket groups. An example is an
 * instance image (repeated as often as its repeats say) and, with prior preservation, the class
 * image diffusers' DreamBoothDataset pairs with it: example i takes instance {@code i % n_instance}
 * and class {@code i % n_class}, and there are {@code max(n_instance, n_class)} examples. Examples
 * whose images share a bucket (both images' buckets, with prior preservation) form a group, and
 * every global batch is drawn from one group.
 */
final class Examples {
    final int[] instanceRow;
    final int[] classRow;
    final List<int[]> groups;

    private Examples(int[] instanceRow, int[] classRow, List<int[]> groups) {
        this.instanceRow = instanceRow;
        this.classRow = classRow;
        this.groups = groups;
    }

    boolean priorPreservation() {
        return classRow != null;
    }

    int count() {
        return instanceRow.length;
    }

    static Examples of(List<PlanImage> instances, List<PlanImage> classes) {
        List<PlanImage> inst = repeated(instances);
        List<PlanImage> cls = repeated(classes);
        if (inst.isEmpty()) throw new IllegalArgumentException("no instance images to train on");
        boolean prior = !cls.isEmpty();
        int n = prior ? Math.max(inst.size(), cls.size()) : inst.size();
        int[] instanceRow = new int[n];
        int[] classRow = prior ? new int[n] : null;
        Map<Key, List<Integer>> byKey = new TreeMap<>();
        for (int i = 0; i < n; i++) {
            PlanImage a = inst.get(i % inst.size());
            PlanImage b = prior ? cls.get(i % cls.size()) : null;
            instanceRow[i] = a.row();
            if (prior) classRow[i] = b.row();
            byKey.computeIfAbsent(new Key(a.bucket(), prior ? b.bucket() : a.bucket()), k -> new ArrayList<>()).add(i);
        }
        List<int[]> groups = new ArrayList<>();
        for (List<Integer> g : byKey.values()) groups.add(g.stream().mapToInt(Integer::intValue).toArray());
        return new Examples(instanceRow, classRow, List.copyOf(groups));
    }

    private static List<PlanImage> repeated(List<PlanImage> images) {
        List<PlanImage> out = new ArrayList<>();
        for (PlanImage image : images) {
            for (int r = 0; r < image.repeats(); r++) out.add(image);
        }
        return out;
    }

    private record Key(Bucket instance, Bucket classImage) implements Comparable<Key> {
        @Override
        public int compareTo(Key o) {
            int c = instance.compareTo(o.instance);
            return c != 0 ? c : classImage.compareTo(o.classImage);
        }
    }
}
