package org.sdspark.jobs.train.config;

import java.io.Serializable;
import org.sdspark.prep.Block;

/** {@code sdspark.train.export}: the whole-model files a full fine-tune writes at the end. */
public record ExportSettings(boolean diffusers, boolean singleFile) implements Serializable {

    public static ExportSettings read(Block train) {
        Block b = train.child("export");
        return new ExportSettings(b.getBoolean("diffusers"), b.getBoolean("single-file"));
    }
}
