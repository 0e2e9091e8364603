package org.sdspark.prep;

import com.typesafe.config.Config;

/**
 * One input tree. Keys an input leaves out fall back to {@code ingest}: caption-column,
 * image-column and instance-prompt.
 */
public record InputSpec(String path, InputFormat format, String instancePrompt,
                        String captionColumn, String imageColumn) {

    public static InputSpec from(Config c, IngestSettings ingest) {
        String path = c.getString("path");
        if (path.isBlank()) throw Checks.bad(c, "path", "must not be empty");
        InputFormat format;
        try {
            format = InputFormat.parse(c.hasPath("format") ? c.getString("format") : "auto");
        } catch (IllegalArgumentException e) {
            throw Checks.bad(c, "format", e.getMessage());
        }
        String prompt = c.hasPath("instance-prompt") ? c.getString("instance-prompt") : ingest.instancePrompt();
        String captionColumn = c.hasPath("caption-column") ? c.getString("caption-column") : ingest.captionColumn();
        String imageColumn = c.hasPath("image-column") ? c.getString("image-column") : ingest.imageColumn();
        if (format == InputFormat.DREAMBOOTH && prompt.isBlank()) {
            throw Checks.bad(c, "instance-prompt", "a dreambooth input needs an instance-prompt");
        }
        if (captionColumn.isBlank()) throw Checks.bad(c, "caption-column", "must not be empty");
        if (imageColumn.isBlank()) throw Checks.bad(c, "image-column", "must not be empty");
        return new InputSpec(path, format, prompt, captionColumn, imageColumn);
    }
}
