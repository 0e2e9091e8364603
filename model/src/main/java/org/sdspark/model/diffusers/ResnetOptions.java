package org.sdspark.model.diffusers;

import ai.djl.ndarray.NDArray;
import java.util.function.UnaryOperator;

/** What every ResnetBlock2D of one model shares: group norm groups and eps, activation, output scale. */
public record ResnetOptions(int groups, float eps, UnaryOperator<NDArray> act, double outputScaleFactor) {

    public ResnetOptions withOutputScaleFactor(double factor) {
        return new ResnetOptions(groups, eps, act, factor);
    }
}
