package org.sdspark.jobs.prep;

import java.util.Map;

/**
 * One timed pass over the benchmark images, by sdspark or by the Pillow reference: how long it
 * took and what it made of each image (by file name), so the two can be checked against each other.
 */
record BenchOutcome(String who, int images, double seconds, int cores, double peakRssMb, Map<String, Verdict> verdicts) {

    /** Null reason for an accepted image; sizes are upright, the bucket "WxH". */
    record Verdict(String reason, int width, int height, long phash, String bucket) {}

    double perCore() {
        return images / seconds / cores;
    }
}
