package org.sdspark.model.checkpoint;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Moves tensors between layouts along a list of {@link Correspondence}s. New arrays (reshaped,
 * split, fused) are created in the manager of their source tensor; renamed ones are the same array.
 */
public final class LayoutConversion {
    private LayoutConversion() {
    }

    /** Original-layout tensors from diffusers-layout ones; fails naming the first missing key. */
    public static Map<String, NDArray> toOriginal(List<Correspondence> map, Map<String, NDArray> diffusers) {
        Map<String, NDArray> out = new LinkedHashMap<>();
        for (Correspondence c : map) {
            List<NDArray> parts = c.diffusers().stream().map(k -> require(diffusers, k)).toList();
            NDArray first = parts.get(0);
            if (c instanceof Correspondence.Fused) {
                out.put(c.original(), NDArrays.concat(new NDList(parts)));
            } else if (c instanceof Correspondence.LinearAsConv) {
                out.put(c.original(), first.reshape(first.getShape().addAll(new Shape(1, 1))));
            } else if (c instanceof Correspondence.Transposed) {
                out.put(c.original(), transpose(c.diffusers().get(0), first));
            } else {
                out.put(c.original(), first);
            }
        }
        return out;
    }

    /** Diffusers-layout tensors from original-layout ones. */
    public static Map<String, NDArray> toDiffusers(List<Correspondence> map, Map<String, NDArray> original) {
        Map<String, NDArray> out = new LinkedHashMap<>();
        for (Correspondence c : map) {
            NDArray t = require(original, c.original());
            if (c instanceof Correspondence.Fused f) {
                split(f, t, out);
            } else if (c instanceof Correspondence.LinearAsConv l) {
                out.put(l.diffusersKey(), linear(l.original(), t));
            } else if (c instanceof Correspondence.Transposed tr) {
                out.put(tr.diffusersKey(), transpose(tr.original(), t));
            } else {
                out.put(c.diffusers().get(0), t);
            }
        }
        return out;
    }

    // diffusers' own loader accepts both (C, C, 1, 1) and (C, C, 1) for these, and so do we.
    private static NDArray linear(String key, NDArray conv) {
        Shape s = conv.getShape();
        for (int d = 2; d < s.dimension(); d++) {
            if (s.get(d) != 1) {
                throw new IllegalArgumentException(key + " has shape " + s + ", expected a 1x1 convolution weight");
            }
        }
        return s.dimension() == 2 ? conv : conv.reshape(s.get(0), s.get(1));
    }

    // flatten copies the transposed view in row-major order, the layout of any loaded tensor: a
    // strided weight would take another matmul path and round differently.
    private static NDArray transpose(String key, NDArray t) {
        Shape s = t.getShape();
        if (s.dimension() != 2) {
            throw new IllegalArgumentException(key + " has shape " + s + ", expected a matrix");
        }
        return t.transpose().flatten().reshape(s.get(1), s.get(0));
    }

    private static void split(Correspondence.Fused f, NDArray fused, Map<String, NDArray> out) {
        int n = f.diffusers().size();
        if (fused.getShape().dimension() == 0 || fused.getShape().get(0) % n != 0) {
            throw new IllegalArgumentException(f.original() + " has shape " + fused.getShape()
                    + ", its first axis does not split into " + n + " equal parts");
        }
        NDList parts = fused.split(n, 0);
        for (int i = 0; i < n; i++) {
            out.put(f.diffusers().get(i), parts.get(i));
        }
    }

    private static NDArray require(Map<String, NDArray> tensors, String key) {
        NDArray t = tensors.get(key);
        if (t == null) {
            throw new IllegalArgumentException("missing tensor " + key);
        }
        return t;
    }
}
