package org.sdspark.prep;

import com.typesafe.config.Config;
import java.io.Serializable;
import java.util.List;

/** How captions are found: sidecar extensions, metadata column, and the fallbacks. */
public record IngestSettings(List<String> captionExtensions, String captionColumn, String imageColumn,
                            boolean requireCaption, String instancePrompt) implements Serializable {

    public IngestSettings {
        captionExtensions = List.copyOf(captionExtensions);
    }

    /** Reads the {@code ingest} block itself; error messages name keys relative to it. */
    public static IngestSettings from(Config c) {
        return read(new Block(c, ""));
    }

    static IngestSettings read(Block b) {
        List<String> extensions = b.getStringList("caption-extensions");
        for (String e : extensions) {
            if (!e.startsWith(".") || e.length() < 2) {
                throw b.bad("caption-extensions", "each extension must look like \".txt\", got \"" + e + "\"");
            }
        }
        return new IngestSettings(extensions, b.requiredString("caption-column"), b.requiredString("image-column"),
                b.getBoolean("require-caption"), b.getString("instance-prompt"));
    }
}
