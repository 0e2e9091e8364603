package org.sdspark.prep.source;

import java.io.Serializable;

/**
 * An image found in an input tree. {@code caption} is null when no source gave one;
 * {@code concept} is the kohya concept, else the top-level folder, else "".
 */
public record ImageEntry(String path, String caption, CaptionSource captionSource, int repeats, String concept) implements Serializable {}
