package org.sdspark.prep.filter;

import java.io.Serializable;

/** A file left out of the dataset, with a human-readable detail such as "120x90, min-side 256". */
public record Rejection(String source, Reason reason, String detail) implements Serializable {}
