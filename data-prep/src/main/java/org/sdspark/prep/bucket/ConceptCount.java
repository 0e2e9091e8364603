package org.sdspark.prep.bucket;

import java.io.Serializable;

/** Images of one concept that survived filtering, and the repeats its folder asked for. */
public record ConceptCount(String concept, int images, int repeats) implements Serializable {}
