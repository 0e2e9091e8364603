package org.sdspark.prep.source;

/** Where an image's caption came from. */
public enum CaptionSource {
    METADATA_JSONL, METADATA_CSV, SIDECAR, KOHYA_FOLDER, INSTANCE_PROMPT, PARQUET, NONE
}
