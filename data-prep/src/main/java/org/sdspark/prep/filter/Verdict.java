package org.sdspark.prep.filter;

/** The outcome of inspecting one file. */
public sealed interface Verdict {

    record Accepted(ImageFacts facts) implements Verdict {}

    record Rejected(Rejection rejection) implements Verdict {}
}
