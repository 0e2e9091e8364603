package org.sdspark.model.testing;

import java.util.ArrayList;
import java.util.List;

/**
 * A garbage collection between a forward pass and its backward, as a long training run certainly
 * has: buffers nothing references any more are freed (their Cleaner runs), and the freed memory
 * is handed out again.
 */
public final class ForcedGc {
    private ForcedGc() {
    }

    public static void run() {
        for (int round = 0; round < 3; round++) {
            List<byte[]> garbage = new ArrayList<>();
            for (int i = 0; i < 2000; i++) {
                garbage.add(new byte[1024]);
            }
            garbage.clear();
            System.gc();
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
    }
}
