package org.sdspark.model.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class ProgressLineTest {

    @Test
    void rateAndEtaCoverAllStepsOfAllImages() {
        AtomicLong now = new AtomicLong(0);
        List<String> lines = new ArrayList<>();
        ProgressLine progress = new ProgressLine(now::get, lines::add);
        now.set(2_000_000_000L);                   // 4 steps in 2 s: 2 it/s
        progress.stepDone(0, 2, 4, 10);
        now.set(40_000_000_000L);                  // 12 steps in 40 s: 3.33 s/it, 8 left
        progress.stepDone(1, 2, 2, 10);
        assertThat(lines).containsExactly(
                "image 1/2  step 4/10  2.00 it/s  ETA 0:08",
                "image 2/2  step 2/10  3.33 s/it  ETA 0:27");
    }

    @Test
    void printsAtMostOnceASecondAndAlwaysTheLastStep() {
        AtomicLong now = new AtomicLong(0);
        List<String> lines = new ArrayList<>();
        ProgressLine progress = new ProgressLine(now::get, lines::add);
        for (int step = 1; step <= 10; step++) {
            now.addAndGet(300_000_000L);           // 0.3 s a step
            progress.stepDone(0, 1, step, 10);
        }
        assertThat(lines).containsExactly(
                "image 1/1  step 4/10  3.33 it/s  ETA 0:02",
                "image 1/1  step 8/10  3.33 it/s  ETA 0:01",
                "image 1/1  step 10/10  3.33 it/s  ETA 0:00");
    }

    @Test
    void aResumedLineRatesOnlyTheWorkDoneSinceItStarted() {
        AtomicLong now = new AtomicLong(0);
        List<String> lines = new ArrayList<>();
        ProgressLine progress = new ProgressLine(now::get, lines::add, 500);
        now.set(10_000_000_000L);                  // steps 501..520 in 10 s: 2 it/s, 480 left
        progress.update("step 520/1000  loss 0.1250", 520, 1000);
        assertThat(lines).containsExactly("step 520/1000  loss 0.1250  2.00 it/s  ETA 4:00");
    }
}
