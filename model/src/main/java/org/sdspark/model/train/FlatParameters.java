package org.sdspark.model.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The selected parameters seen as one flat fp32 vector ({@link FlatLayout}): their values and
 * gradients gathered with one concatenation, updated values scattered back into the model's own
 * tensors in their dtype (float16 under mixed precision).
 */
public final class FlatParameters {
    private final List<Parameter> parameters;
    private final FlatLayout layout;

    public FlatParameters(List<Parameter> parameters) {
        this.parameters = List.copyOf(parameters);
        Map<String, long[]> shapes = new LinkedHashMap<>();
        parameters.forEach(p -> shapes.put(p.key(), p.tensor().getShape().getShape()));
        this.layout = FlatLayout.of(shapes);
    }

    public FlatLayout layout() {
        return layout;
    }

    public List<Parameter> parameters() {
        return parameters;
    }

    /** The parameters' current values, fp32, in {@code manager}. */
    public NDArray values(NDManager manager) {
        return gather(manager, false);
    }

    /** Their accumulated gradients, fp32, in {@code manager} (zeros where backward never reached). */
    public NDArray gradients(NDManager manager) {
        return gather(manager, true);
    }

    private NDArray gather(NDManager manager, boolean gradients) {
        try (NDManager scope = manager.newSubManager()) {
            NDList parts = new NDList();
            for (Parameter p : parameters) {
                NDArray source = gradients ? p.tensor().getGradient() : p.tensor();
                if (gradients) {
                    source.attach(scope); // a new handle each call: it must not pile up in the model's manager
                }
                FlatLayout.Entry e = layout.entry(p.key());
                NDArray flat = source.toType(DataType.FLOAT32, false).reshape(-1);
                flat.attach(scope);
                parts.add(flat);
                long gap = FlatLayout.align(e.size()) - e.size();
                if (gap > 0) {
                    parts.add(scope.zeros(new Shape(gap), DataType.FLOAT32));
                }
            }
            NDArray all = NDArrays.concat(parts);
            all.attach(manager);
            return all;
        }
    }

    /** Copies {@code flat} into the model's tensors, each cast to its own dtype. */
    public void assign(NDArray flat) {
        Autograd.paused(() -> {
            try (NDManager scope = flat.getManager().newSubManager()) {
                for (Parameter p : parameters) {
                    NDArray value = slice(flat, p.key());
                    value.attach(scope);
                    NDArray cast = value.toType(p.tensor().getDataType(), false);
                    cast.attach(scope);
                    p.tensor().set(new NDIndex("..."), cast);
                }
            }
        });
    }

    /** The part of {@code flat} that belongs to {@code key}, shaped as the tensor (a view). */
    public NDArray slice(NDArray flat, String key) {
        FlatLayout.Entry e = layout.entry(key);
        try (NDArray part = flat.get(new NDIndex("{}:{}", e.offset(), e.end()))) {
            return part.reshape(new Shape(e.shape()));
        }
    }

    public void zeroGradients() {
        parameters.forEach(p -> Autograd.zeroGradient(p.tensor()));
    }
}
