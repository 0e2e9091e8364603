package org.sdspark.prep.bucket;

import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.sdspark.prep.BucketSettings;

/**
 * Aspect-ratio buckets with the behaviour of kohya sd-scripts ({@code make_bucket_resolutions}
 * and {@code BucketManager.select_bucket}, with upscaling allowed or, {@code bucket_no_upscale},
 * not).
 */
public final class AspectRatioBuckets {
    private final List<Bucket> buckets;
    private final Set<Bucket> exact;
    /** Without upscaling: the area an image is shrunk to and the bucket step; 0 when upscaling is allowed. */
    private final long maxArea;
    private final int step;

    public AspectRatioBuckets(List<Bucket> buckets) {
        this(buckets, 0, 0);
    }

    private AspectRatioBuckets(List<Bucket> buckets, long maxArea, int step) {
        if (buckets.isEmpty()) throw new IllegalArgumentException("at least one bucket is needed");
        this.buckets = List.copyOf(buckets);
        this.exact = Set.copyOf(buckets);
        this.maxArea = maxArea;
        this.step = step;
    }

    /** Bucketing as configured; when disabled every image goes to the one square bucket. */
    public static AspectRatioBuckets of(BucketSettings s) {
        if (!s.enabled()) {
            int side = s.resolution() / s.step() * s.step();
            return new AspectRatioBuckets(List.of(new Bucket(side, side)));
        }
        List<Bucket> made = make(s.resolution(), s.minSide(), s.maxSide(), s.step());
        return s.noUpscale()
                ? new AspectRatioBuckets(made, (long) s.resolution() * s.resolution(), s.step())
                : new AspectRatioBuckets(made);
    }

    /**
     * All buckets of about {@code resolution^2} pixels: for each width from minSide to maxSide in
     * {@code step}s, the tallest multiple of step that keeps the area, capped at maxSide, in both
     * orientations (dropped when below minSide), plus the square; sorted by width, then height.
     */
    public static List<Bucket> make(int resolution, int minSide, int maxSide, int step) {
        long maxArea = (long) resolution * resolution;
        TreeSet<Bucket> set = new TreeSet<>();
        int square = resolution / step * step;
        set.add(new Bucket(square, square));
        for (int width = minSide; width <= maxSide; width += step) {
            int height = (int) Math.min(maxSide, maxArea / width / step * step);
            if (height >= minSide) {
                set.add(new Bucket(width, height));
                set.add(new Bucket(height, width));
            }
        }
        return List.copyOf(set);
    }

    /** The predefined buckets; without upscaling, images get buckets of their own size instead. */
    public List<Bucket> buckets() {
        return buckets;
    }

    /**
     * The bucket for a {@code width x height} image: the image's own size when that is a bucket,
     * else the first bucket (in sorted order) with the smallest aspect-ratio error. The image is
     * scaled so that it covers the bucket (the side that is relatively shorter matches exactly),
     * rounding half up, and the overflow is cropped evenly from both ends (left/top gets the floor).
     */
    public BucketFit assign(int width, int height) {
        if (width <= 0 || height <= 0) throw new IllegalArgumentException("size " + width + "x" + height);
        if (maxArea > 0) return withoutUpscaling(width, height);
        double aspect = (double) width / height;
        Bucket bucket = new Bucket(width, height);
        if (!exact.contains(bucket)) bucket = nearestAspect(aspect);
        double scale = aspect > bucket.aspect() ? (double) bucket.height() / height : (double) bucket.width() / width;
        int resizedWidth = (int) (width * scale + 0.5);
        int resizedHeight = (int) (height * scale + 0.5);
        int cropLeft = Math.max(0, resizedWidth - bucket.width()) / 2;
        int cropTop = Math.max(0, resizedHeight - bucket.height()) / 2;
        return new BucketFit(bucket, resizedWidth, resizedHeight, cropLeft, cropTop);
    }

    /**
     * kohya's {@code bucket_no_upscale}: an image over the area is scaled to it, rounding the
     * width or the height to a step, whichever keeps the aspect ratio better; the bucket is the
     * (scaled) size cut down to multiples of step, so the image is only ever cropped, by less
     * than a step, and never enlarged.
     */
    private BucketFit withoutUpscaling(int width, int height) {
        double aspect = (double) width / height;
        int resizedWidth = width;
        int resizedHeight = height;
        if ((long) width * height > maxArea) {
            double scaledWidth = Math.sqrt(maxArea * aspect);
            double scaledHeight = maxArea / scaledWidth;
            int widthRounded = roundToStep(scaledWidth);
            double aspectIfWidth = (double) widthRounded / roundToStep(widthRounded / aspect);
            int heightRounded = roundToStep(scaledHeight);
            double aspectIfHeight = (double) roundToStep(heightRounded * aspect) / heightRounded;
            if (Math.abs(aspectIfWidth - aspect) < Math.abs(aspectIfHeight - aspect)) {
                resizedWidth = widthRounded;
                resizedHeight = (int) (widthRounded / aspect + 0.5);
            } else {
                resizedWidth = (int) (heightRounded * aspect + 0.5);
                resizedHeight = heightRounded;
            }
        }
        Bucket bucket = new Bucket(resizedWidth - resizedWidth % step, resizedHeight - resizedHeight % step);
        return new BucketFit(bucket, resizedWidth, resizedHeight,
                (resizedWidth - bucket.width()) / 2, (resizedHeight - bucket.height()) / 2);
    }

    private int roundToStep(double x) {
        int rounded = (int) (x + 0.5);
        return rounded - rounded % step;
    }

    private Bucket nearestAspect(double aspect) {
        Bucket best = buckets.get(0);
        double bestError = Math.abs(best.aspect() - aspect);
        for (Bucket b : buckets) {
            double error = Math.abs(b.aspect() - aspect);
            if (error < bestError) {
                best = b;
                bestError = error;
            }
        }
        return best;
    }
}
