package org.sdspark.prep;

import com.typesafe.config.Config;
import java.io.Serializable;
import org.sdspark.prep.caption.CaptionMode;

/**
 * A captioning run, read once from {@code sdspark.caption} and validated: which prepared dataset,
 * which BLIP model folder, how captions combine with existing ones, and how to search.
 *
 * @param prompt conditional captioning prefix ("a photography of"); empty for unconditional
 * @param dtype {@code auto} (float16 on a GPU, float32 on the CPU), {@code float32} or {@code float16}
 * @param partitions Spark partitions of the captioning pass; 0 keeps the input's
 * @param kohyaExport also write {@code kohya/<repeats>_<concept>/<id>.<ext>} + {@code <id>.txt}
 */
public record CaptionSettings(String input, String output, boolean overwrite, String model, CaptionMode mode,
                              String prompt, String separator, int batchSize, int numBeams, int maxNewTokens,
                              int minLength, double repetitionPenalty, double lengthPenalty, String dtype,
                              int partitions, boolean kohyaExport) implements Serializable {

    public static final String PATH = "sdspark.caption";

    public static CaptionSettings from(Config c) {
        Block b = new Block(c, "").child(PATH);
        CaptionMode mode = b.parsed("mode", CaptionMode::parse);
        String dtype = b.oneOf("dtype", "auto", "float32", "float16");
        double repetition = b.getDouble("repetition-penalty");
        if (!(repetition > 0)) throw b.bad("repetition-penalty", "must be > 0, got " + repetition);
        return new CaptionSettings(b.requiredString("input"), b.requiredString("output"), b.getBoolean("overwrite"),
                b.requiredString("model"), mode, b.getString("prompt"), b.getString("separator"), b.positive("batch-size"),
                b.positive("num-beams"), b.positive("max-new-tokens"), b.atLeast("min-length", 0), repetition,
                b.getDouble("length-penalty"), dtype, b.atLeast("partitions", 0), b.getBoolean("kohya-export"));
    }
}
