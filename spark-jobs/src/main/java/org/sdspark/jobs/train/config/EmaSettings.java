package org.sdspark.jobs.train.config;

import java.util.Optional;
import org.sdspark.model.train.optim.EmaDecay;
import org.sdspark.prep.Block;

/** {@code sdspark.train.ema}: diffusers' EMAModel settings, when enabled. */
final class EmaSettings {
    private EmaSettings() {
    }

    static Optional<EmaDecay> read(Block train) {
        Block b = train.child("ema");
        if (!b.getBoolean("enabled")) {
            return Optional.empty();
        }
        double decay = b.nonNegative("decay");
        double minDecay = b.nonNegative("min-decay");
        if (decay > 1 || minDecay > decay) {
            throw b.bad(decay > 1 ? "decay" : "min-decay", "needs 0 <= min-decay <= decay <= 1");
        }
        double invGamma = b.getDouble("inv-gamma");
        if (!(invGamma > 0)) {
            throw b.bad("inv-gamma", "must be > 0, got " + invGamma);
        }
        return Optional.of(new EmaDecay(decay, minDecay, b.atLeast("update-after-step", 0), b.getBoolean("warmup"), invGamma,
                b.nonNegative("power")));
    }
}
