package org.sdspark.jobs.prep;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.sdspark.prep.bucket.Bucket;
import org.sdspark.prep.synthetic.SyntheticManifest;

/**
 * Compares a prep run's output with the manifest of a synthetic dataset: every planted file
 * rejected for its reason, every good image accepted into its bucket, nothing else anywhere.
 */
record ManifestCheck(int plantedRight, int planted, int goodRight, int good, List<String> mismatches) {

    /**
     * @param accepted bucket of each accepted file, by path relative to the dataset root
     * @param rejected reason code of each rejected file, by relative path
     */
    static ManifestCheck of(SyntheticManifest manifest, Map<String, Bucket> accepted, Map<String, String> rejected) {
        List<String> mismatches = new ArrayList<>();
        Set<String> expected = new HashSet<>();
        int plantedRight = 0;
        for (SyntheticManifest.PlantedFile p : manifest.planted()) {
            expected.add(p.path());
            String reason = rejected.get(p.path());
            if (p.reason().code().equals(reason)) {
                plantedRight++;
            } else {
                mismatches.add(p.path() + " (" + p.why() + "): expected " + p.reason().code() + ", got "
                        + (reason != null ? reason : accepted.containsKey(p.path()) ? "accepted" : "nothing"));
            }
        }
        int goodRight = 0;
        for (SyntheticManifest.GoodImage g : manifest.good()) {
            expected.add(g.path());
            Bucket bucket = accepted.get(g.path());
            if (g.bucket().equals(bucket)) {
                goodRight++;
            } else {
                mismatches.add(g.path() + " (" + g.width() + "x" + g.height() + "): expected bucket "
                        + label(g.bucket()) + ", got " + (bucket != null ? label(bucket)
                        : rejected.containsKey(g.path()) ? "rejected as " + rejected.get(g.path()) : "nothing"));
            }
        }
        for (String path : accepted.keySet()) {
            if (!expected.contains(path)) {
                mismatches.add(path + ": accepted but not in the manifest");
            }
        }
        for (Map.Entry<String, String> r : rejected.entrySet()) {
            if (!expected.contains(r.getKey())) {
                mismatches.add(r.getKey() + ": rejected as " + r.getValue() + " but not in the manifest");
            }
        }
        return new ManifestCheck(plantedRight, manifest.planted().size(), goodRight, manifest.good().size(),
                List.copyOf(mismatches));
    }

    boolean passed() {
        return mismatches.isEmpty();
    }

    String summary() {
        return String.format("planted bad files: %d/%d rejected with the expected reason; "
                + "good images: %d/%d accepted into the expected bucket", plantedRight, planted, goodRight, good);
    }

    private static String label(Bucket b) {
        return b.width() + "x" + b.height();
    }
}
