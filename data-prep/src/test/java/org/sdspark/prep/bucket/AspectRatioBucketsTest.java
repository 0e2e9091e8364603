package org.sdspark.prep.bucket;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.sdspark.prep.BucketSettings;

class AspectRatioBucketsTest {

    /*
     * resolution 512 -> max area 262144; height = min(1024, 262144 // w // 64 * 64):
     *   w=256 -> 1024   w=320 -> 819//64=12 -> 768   w=384 -> 682 -> 640   w=448 -> 585 -> 576
     *   w=512 -> 512    w=576 -> 455 -> 448          w=640 -> 409 -> 384   w=704 -> 372 -> 320
     *   w=768 -> 341 -> 320   w=832 -> 315 -> 256    w=896 -> 292 -> 256   w=960 -> 273 -> 256
     *   w=1024 -> 256
     * each in both orientations, deduplicated, sorted by (width, height).
     */
    private static final List<Bucket> EXPECTED_512 = List.of(
            new Bucket(256, 832), new Bucket(256, 896), new Bucket(256, 960), new Bucket(256, 1024),
            new Bucket(320, 704), new Bucket(320, 768), new Bucket(384, 640), new Bucket(448, 576),
            new Bucket(512, 512), new Bucket(576, 448), new Bucket(640, 384), new Bucket(704, 320),
            new Bucket(768, 320), new Bucket(832, 256), new Bucket(896, 256), new Bucket(960, 256),
            new Bucket(1024, 256));

    private final AspectRatioBuckets buckets = new AspectRatioBuckets(AspectRatioBuckets.make(512, 256, 1024, 64));

    @Test
    void bucketTableMatchesHandComputedKohyaTable() {
        assertThat(AspectRatioBuckets.make(512, 256, 1024, 64)).containsExactlyElementsOf(EXPECTED_512);
    }

    @Test
    void heightsBelowMinSideAreDropped() {
        // resolution 256, min 256: every non-square width yields a height under 256
        assertThat(AspectRatioBuckets.make(256, 256, 1024, 64)).containsExactly(new Bucket(256, 256));
    }

    @Test
    void squareImageScalesDownWithoutCrop() {
        assertThat(buckets.assign(1024, 1024)).isEqualTo(new BucketFit(new Bucket(512, 512), 512, 512, 0, 0));
    }

    @Test
    void exactBucketSizeIsKeptAsIs() {
        assertThat(buckets.assign(640, 384)).isEqualTo(new BucketFit(new Bucket(640, 384), 640, 384, 0, 0));
    }

    @Test
    void landscapeFourThreeGoesToNearestAspectAndCropsWidth() {
        // 4:3 = 1.3333; 576x448 = 1.2857 (err .0476), 640x384 = 1.6667 (err .3333) -> 576x448.
        // image wider than bucket -> match height: scale 448/768 = .58333; 1024*.58333 = 597.33 -> 597
        // crop (597-576)//2 = 10
        assertThat(buckets.assign(1024, 768)).isEqualTo(new BucketFit(new Bucket(576, 448), 597, 448, 10, 0));
    }

    @Test
    void portraitThreeFourCropsHeight() {
        // 0.75 vs 448x576 = .7778 (err .0278) -> 448x576; image taller -> match width: scale 448/600
        // height 800*.74667 = 597.33 -> 597; crop top (597-576)//2 = 10
        assertThat(buckets.assign(600, 800)).isEqualTo(new BucketFit(new Bucket(448, 576), 448, 597, 0, 10));
    }

    @Test
    void sixteenNineUpscalesToCover() {
        // 1.7778: 640x384 = 1.6667 (err .111), 704x320 = 2.2 (err .42) -> 640x384.
        // wider than bucket -> scale 384/360 = 1.06667; width 640*1.06667 = 682.67 -> 683; crop (683-640)//2 = 21
        assertThat(buckets.assign(640, 360)).isEqualTo(new BucketFit(new Bucket(640, 384), 683, 384, 21, 0));
    }

    @Test
    void twoThreeGoesToThreeEightyFourBySixForty() {
        // .6667: 384x640 = .6 (err .0667), 448x576 = .7778 (err .111) -> 384x640.
        // .6667 > .6 -> wider than bucket -> scale 640/960 = .66667; width 640*.66667 = 426.67 -> 427; crop 21
        assertThat(buckets.assign(640, 960)).isEqualTo(new BucketFit(new Bucket(384, 640), 427, 640, 21, 0));
    }

    @Test
    void extremeAspectFallsIntoTheWidestBucket() {
        // 4.0 equals 1024x256 exactly; not wider than the bucket -> scale 1024/1600 = .64 -> 1024x256, no crop
        assertThat(buckets.assign(1600, 400)).isEqualTo(new BucketFit(new Bucket(1024, 256), 1024, 256, 0, 0));
    }

    @Test
    void disabledBucketingUsesOneSquare() {
        var single = AspectRatioBuckets.of(new BucketSettings(false, 512, 256, 1024, 64, false));
        assertThat(single.buckets()).containsExactly(new Bucket(512, 512));
        // 800x600 -> scale 512/600 -> 682.67 -> 683 wide, crop (683-512)//2 = 85
        assertThat(single.assign(800, 600)).isEqualTo(new BucketFit(new Bucket(512, 512), 683, 512, 85, 0));
    }

    @Test
    void withoutUpscalingSmallImagesKeepTheirSizeAndLargeOnesShrinkToTheArea() {
        var noUpscale = AspectRatioBuckets.of(new BucketSettings(true, 512, 256, 1024, 64, false, true));
        // expected values printed by kohya's BucketManager.select_bucket (no_upscale=True, 512^2, steps 64)
        assertThat(noUpscale.assign(256, 456)).isEqualTo(new BucketFit(new Bucket(256, 448), 256, 456, 0, 4));
        assertThat(noUpscale.assign(700, 300)).isEqualTo(new BucketFit(new Bucket(640, 256), 700, 300, 30, 22));
        assertThat(noUpscale.assign(513, 511)).isEqualTo(new BucketFit(new Bucket(512, 448), 513, 511, 0, 31));
        assertThat(noUpscale.assign(2000, 1500)).isEqualTo(new BucketFit(new Bucket(512, 384), 512, 384, 0, 0));
        assertThat(noUpscale.assign(1200, 800)).isEqualTo(new BucketFit(new Bucket(576, 384), 576, 384, 0, 0));
        assertThat(noUpscale.assign(800, 1200)).isEqualTo(new BucketFit(new Bucket(384, 576), 384, 576, 0, 0));
        assertThat(noUpscale.assign(3000, 1000)).isEqualTo(new BucketFit(new Bucket(768, 256), 768, 256, 0, 0));
        // with upscaling the small portrait is enlarged into its bucket, as the issue saw
        assertThat(buckets.assign(256, 456).resizedWidth()).isEqualTo(384);
    }

    @Test
    void conceptBalancingEqualisesSamplesPerEpoch() {
        var counts = List.of(new ConceptCount("cat", 10, 5), new ConceptCount("dog", 40, 1), new ConceptCount("owl", 15, 2));
        assertThat(ConceptBalancer.repeats(counts, false)).isEqualTo(Map.of("cat", 5, "dog", 1, "owl", 2));
        // 40/10 = 4, 40/40 = 1, 40/15 = 2.67 -> 3
        assertThat(ConceptBalancer.repeats(counts, true)).isEqualTo(Map.of("cat", 4, "dog", 1, "owl", 3));
    }
}
