package org.sdspark.prep;

import com.typesafe.config.Config;
import java.util.List;

/** How captions are found: sidecar extensions, metadata column, and the fallbacks. */
public record IngestSettings(List<String> captionExtensions, String captionColumn, String imageColumn,
                            boolean requireCaption, String instancePrompt) {

    public IngestSettings {
        captionExtensions = List.copyOf(captionExtensions);
    }

    public static IngestSettings from(Config c) {
        List<String> extensions = c.getStringList("caption-extensions");
        for (String e : extensions) {
            if (!e.startsWith(".") || e.length() < 2) {
                throw Checks.bad(c, "caption-extensions", "each extension must look like \".txt\", got \"" + e + "\"");
            }
        }
        String captionColumn = c.getString("caption-column");
        if (captionColumn.isBlank()) throw Checks.bad(c, "caption-column", "must not be empty");
        String imageColumn = c.getString("image-column");
        if (imageColumn.isBlank()) throw Checks.bad(c, "image-column", "must not be empty");
        return new IngestSettings(extensions, captionColumn, imageColumn,
                c.getBoolean("require-caption"), c.getString("instance-prompt"));
    }
}
