package org.sdspark.model.train.collective;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import org.sdspark.model.train.Collective;

/** A few numbers from every rank, through the run's own collective (an all-reduce of a rank-slotted vector). */
final class RankValues {
    private RankValues() {
    }

    /** {@code mine} from every rank: row r holds rank r's values (float32 precision). */
    static float[][] gather(Collective collective, NDManager manager, float... mine) {
        int world = collective.worldSize();
        int k = mine.length;
        float[] slots = new float[world * k];
        System.arraycopy(mine, 0, slots, collective.rank() * k, k);
        float[] all;
        try (NDManager scope = manager.newSubManager()) {
            NDArray shared = scope.create(slots);
            collective.allReduceMean(shared);
            all = shared.toFloatArray();
        }
        float[][] rows = new float[world][k];
        for (int r = 0; r < world; r++) {
            for (int i = 0; i < k; i++) {
                rows[r][i] = all[r * k + i] * world;
            }
        }
        return rows;
    }
}
