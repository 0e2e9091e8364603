package org.sdspark.prep.filter;

import java.io.Serializable;

/** An accepted image as duplicate detection sees it; {@code id} must be unique in a run. */
public record DedupCandidate(String id, String sha256, long phash, long pixels) implements Serializable {}
