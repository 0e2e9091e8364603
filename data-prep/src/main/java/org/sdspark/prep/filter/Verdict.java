package org.sdspark.prep.filter;

import java.io.Serializable;

/** The outcome of inspecting one file. */
public sealed interface Verdict extends Serializable {

    record Accepted(ImageFacts facts) implements Verdict {}

    record Rejected(Rejection rejection) implements Verdict {}
}
