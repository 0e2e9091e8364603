package org.sdspark.model.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.sdspark.model.nn.TorchExtension;

/**
 * The selected parameters seen as one flat fp32 vector ({@link FlatLayout}): their values and
 * gradients copied into a flat buffer, updated values scattered back into the model's own tensors
 * in their dtype (float16 under mixed precision).
 */
public final class FlatParameters {
    private final List<Parameter> parameters;
    private final FlatLayout layout;
    private final List<NDArray> tensors;
    private final long[] offsets;

    public FlatParameters(List<Parameter> parameters) {
        this.parameters = List.copyOf(parameters);
        Map<String, long[]> shapes = new LinkedHashMap<>();
        parameters.forEach(p -> shapes.put(p.key(), p.tensor().getShape().getShape()));
        this.layout = FlatLayout.of(shapes);
        this.tensors = this.parameters.stream().map(Parameter::tensor).toList();
        this.offsets = this.parameters.stream().mapToLong(p -> layout.entry(p.key()).offset()).toArray();
    }

    /** The parameters' tensors, in layout order. */
    public List<NDArray> tensors() {
        return tensors;
    }

    /** Each tensor's first element in the flat buffer, in layout order. */
    public long[] offsets() {
        return offsets.clone();
    }

    public FlatLayout layout() {
        return layout;
    }

    public List<Parameter> parameters() {
        return parameters;
    }

    /** The parameters' current values, fp32, in {@code manager}. */
    public NDArray values(NDManager manager) {
        NDArray flat = manager.zeros(new Shape(layout.length()), DataType.FLOAT32);
        copy(flat, false);
        return flat;
    }

    /** Their accumulated gradients, fp32, in {@code manager} (zeros where backward never reached). */
    public NDArray gradients(NDManager manager) {
        NDArray flat = manager.zeros(new Shape(layout.length()), DataType.FLOAT32);
        copyGradients(flat);
        return flat;
    }

    /**
     * Writes their accumulated gradients into {@code flat} (fp32, the layout's length; alignment
     * gaps are not written, so a zeroed buffer keeps them zero). One parameter at a time, so that
     * beyond {@code flat} only one parameter's fp32 copy exists at once.
     */
    public void copyGradients(NDArray flat) {
        copy(flat, true);
    }

    private void copy(NDArray flat, boolean gradients) {
        for (Parameter p : parameters) {
            FlatLayout.Entry e = layout.entry(p.key());
            // getGradient() makes a new handle each call: closed here, it cannot pile up in the model's manager
            try (NDArray source = gradients ? p.tensor().getGradient() : null;
                 NDArray value = (gradients ? source : p.tensor()).toType(DataType.FLOAT32, true);
                 NDArray row = value.reshape(-1)) {
                flat.set(new NDIndex().addSliceDim(e.offset(), e.end()), row);
            }
        }
    }

    /**
     * Copies {@code flat} into the model's tensors, each cast to its own dtype: in one call through
     * the {@link TorchExtension} where it is loaded (four engine calls per tensor otherwise, which
     * cost a step on the SD UNet more than its copy kernels).
     */
    public void assign(NDArray flat) {
        if (TorchExtension.isLoaded()) {
            TorchExtension.copyFromFlat(flat, tensors, offsets);
            return;
        }
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
        try (NDArray part = flat.get(new NDIndex().addSliceDim(e.offset(), e.end()))) {
            return part.reshape(new Shape(e.shape()));
        }
    }

    public void zeroGradients() {
        parameters.forEach(p -> Autograd.zeroGradient(p.tensor()));
    }
}
