package org.sdspark.prep.synthetic;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.sdspark.prep.bucket.Bucket;
import org.sdspark.prep.filter.Reason;
import org.sdspark.prep.source.CaptionSource;

/** What a synthetic dataset should come out as: good images with their buckets, planted files with their reasons. */
public record SyntheticManifest(List<GoodImage> good, List<PlantedFile> planted) {

    /** A valid image; {@code bucket} follows the default bucket settings. */
    public record GoodImage(String path, String caption, CaptionSource captionSource, String format,
                            int width, int height, Bucket bucket) {}

    /** A file planted to be rejected for {@code reason}; {@code path} may not exist (missing_file). */
    public record PlantedFile(String path, Reason reason, String why) {}

    public SyntheticManifest {
        good = List.copyOf(good);
        planted = List.copyOf(planted);
    }

    public Map<String, Reason> expectedRejections() {
        Map<String, Reason> byPath = new TreeMap<>();
        for (PlantedFile p : planted) byPath.put(p.path(), p.reason());
        return byPath;
    }
}
