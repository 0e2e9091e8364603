package org.sdspark.prep.source;

import java.io.Serializable;

/** A file in an input tree; {@code path} is relative to the tree's root and uses '/' separators. */
public record SourceFile(String path, long size) implements Serializable {}
