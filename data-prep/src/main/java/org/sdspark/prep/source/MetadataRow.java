package org.sdspark.prep.source;

/** One row of a metadata file: the image it names (relative to the input root) and its caption. */
record MetadataRow(String path, String caption, CaptionSource source, String origin) {}
