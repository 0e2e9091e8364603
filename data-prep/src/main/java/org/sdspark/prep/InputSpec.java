package org.sdspark.prep;

import com.typesafe.config.Config;
import java.io.Serializable;

/**
 * One input tree. Keys an input leaves out fall back to {@code ingest}: caption-column,
 * image-column and instance-prompt.
 */
public record InputSpec(String path, InputFormat format, String instancePrompt,
                        String captionColumn, String imageColumn) implements Serializable {

    /** Reads one element of {@code inputs}; error messages name keys relative to it. */
    public static InputSpec from(Config c, IngestSettings ingest) {
        return read(new Block(c, ""), ingest);
    }

    static InputSpec read(Block b, IngestSettings ingest) {
        String path = b.requiredString("path");
        InputFormat format = b.parsed("format", "auto", InputFormat::parse);
        String prompt = b.getString("instance-prompt", ingest.instancePrompt());
        String captionColumn = b.getString("caption-column", ingest.captionColumn());
        String imageColumn = b.getString("image-column", ingest.imageColumn());
        if (format == InputFormat.DREAMBOOTH && prompt.isBlank()) {
            throw b.bad("instance-prompt", "a dreambooth input needs an instance-prompt");
        }
        if (captionColumn.isBlank()) throw b.bad("caption-column", "must not be empty");
        if (imageColumn.isBlank()) throw b.bad("image-column", "must not be empty");
        return new InputSpec(path, format, prompt, captionColumn, imageColumn);
    }
}
