package org.sdspark.model.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.ShortBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Predicate;
import org.sdspark.model.io.DType;
import org.sdspark.model.io.SafeTensorsWriter;
import org.sdspark.model.io.TensorFile;
import org.sdspark.model.io.TensorInfo;

/**
 * Named tensors of one model component, keyed exactly as in its checkpoint, so that building a
 * module is a lookup of its path. Floating-point tensors are held in float32 whatever the file
 * stores (F16 and BF16 are widened on load).
 *
 * <p>Modules take their weights through {@link Weights} views; every lookup is recorded, so after
 * a component is built {@link #verify} can list, in one error, every missing key, every tensor
 * whose shape disagrees with the config, and every key nothing used.
 */
public final class StateDict implements AutoCloseable {
    private final NDManager manager;
    private final String source;
    private final Map<String, NDArray> tensors;
    private final Set<String> used = new TreeSet<>();
    private final List<String> problems = new ArrayList<>();
    private final Initialiser initialiser;

    /** Makes the tensor a module asks for when a dict is built fresh rather than loaded. */
    @FunctionalInterface
    public interface Initialiser {
        NDArray create(NDManager manager, String key, Shape shape);
    }

    private StateDict(NDManager manager, String source, Map<String, NDArray> tensors, Initialiser initialiser) {
        this.manager = manager;
        this.source = source;
        this.tensors = tensors;
        this.initialiser = initialiser;
    }

    private StateDict(NDManager manager, String source, Map<String, NDArray> tensors) {
        this(manager, source, tensors, null);
    }

    /**
     * An empty dict that creates each tensor on its first lookup, so building a component from it
     * yields a freshly initialised model of its config (benchmarks, tests, training from scratch).
     */
    public static StateDict initialised(NDManager parent, String source, Initialiser initialiser) {
        return new StateDict(parent.newSubManager(), source, new LinkedHashMap<>(), initialiser);
    }

    /**
     * {@link #initialised} with PyTorch's default scheme for Linear/Conv layers: weights uniform in
     * +-1/sqrt(fan_in), biases zero, norm scales one.
     */
    public static StateDict random(NDManager parent, String source) {
        return initialised(parent, source, (m, key, shape) -> {
            if (shape.dimension() >= 2) {
                double bound = 1 / Math.sqrt(shape.size() / shape.get(0));
                return m.randomUniform((float) -bound, (float) bound, shape);
            }
            return key.endsWith("weight") ? m.ones(shape) : m.zeros(shape);
        });
    }

    /** Tensors already in memory; the dict takes ownership of them. */
    public static StateDict of(NDManager parent, String source, Map<String, NDArray> tensors) {
        NDManager manager = parent.newSubManager();
        tensors.values().forEach(t -> t.attach(manager));
        return new StateDict(manager, source, new LinkedHashMap<>(tensors));
    }

    /**
     * Reads one or more tensor files (sharded checkpoints are several) into one dict: safetensors,
     * or PyTorch pickles through the restricted unpickler ({@link TensorFile#open}).
     */
    public static StateDict load(NDManager parent, Path... files) throws IOException {
        return load(parent, name -> true, files);
    }

    /**
     * Reads only the tensors whose names {@code keep} accepts, e.g. one component of a single-file
     * checkpoint without its EMA copy.
     */
    public static StateDict load(NDManager parent, Predicate<String> keep, Path... files) throws IOException {
        NDManager manager = parent.newSubManager();
        Map<String, NDArray> tensors = new LinkedHashMap<>();
        try {
            for (Path file : files) {
                try (TensorFile tf = TensorFile.open(file)) {
                    for (TensorInfo info : tf.tensors().values()) {
                        if (keep.test(info.name())) {
                            tensors.put(info.name(), toNDArray(manager, info, tf.data(info.name())));
                        }
                    }
                }
            }
        } catch (IOException | RuntimeException e) {
            manager.close();
            throw e;
        }
        return new StateDict(manager, files.length == 1 ? files[0].toString() : List.of(files).toString(), tensors);
    }

    /**
     * Reads from an open file the tensor named {@code names.get(key)} for every key, under that key:
     * a component stored under other names (LDM's EMA copies, whose names lost their dots).
     */
    public static StateDict load(NDManager parent, TensorFile file, Map<String, String> names, String source)
            throws IOException {
        NDManager manager = parent.newSubManager();
        Map<String, NDArray> tensors = new LinkedHashMap<>();
        try {
            for (Map.Entry<String, String> e : names.entrySet()) {
                TensorInfo info = file.tensors().get(e.getValue());
                if (info == null) {
                    throw new ModelLoadException(file.path() + " has no tensor '" + e.getValue() + "' (for " + e.getKey() + ")");
                }
                tensors.put(e.getKey(), toNDArray(manager, info, file.data(info.name())));
            }
        } catch (IOException | RuntimeException e) {
            manager.close();
            throw e;
        }
        return new StateDict(manager, source, tensors);
    }

    // The engine would keep pointing at the (read-only, memory-mapped) buffer it is given; an owned
    // copy also makes later in-place updates (training) safe.
    static NDArray toNDArray(NDManager manager, TensorInfo info, ByteBuffer data) {
        Shape shape = new Shape(info.shape());
        return switch (info.dtype()) {
            case F32 -> Constants.owned(manager.create(data, shape, DataType.FLOAT32));
            case F16 -> widen(manager.create(data, shape, DataType.FLOAT16));
            case F64 -> widen(manager.create(data, shape, DataType.FLOAT64));
            case BF16 -> Constants.of(manager, bf16ToFloat(data), shape);
            case I64 -> Constants.owned(manager.create(data, shape, DataType.INT64));
            case I32 -> Constants.owned(manager.create(data, shape, DataType.INT32));
            case I8 -> Constants.owned(manager.create(data, shape, DataType.INT8));
            case U8 -> Constants.owned(manager.create(data, shape, DataType.UINT8));
            case BOOL -> Constants.owned(manager.create(data, shape, DataType.BOOLEAN));
            case I16 -> throw new IllegalArgumentException("tensor '" + info.name() + "': I16 is not supported");
        };
    }

    private static NDArray widen(NDArray narrow) {
        NDArray wide = narrow.toType(DataType.FLOAT32, true);
        narrow.close();
        return wide;
    }

    // DJL's PyTorch engine aborts on bfloat16 arrays, so bf16 is widened here: it is the high half of an f32.
    private static float[] bf16ToFloat(ByteBuffer data) {
        ShortBuffer shorts = data.order(ByteOrder.LITTLE_ENDIAN).asShortBuffer();
        float[] out = new float[shorts.remaining()];
        for (int i = 0; i < out.length; i++) {
            out[i] = Float.intBitsToFloat((shorts.get(i) & 0xffff) << 16);
        }
        return out;
    }

    /**
     * A new dict beside this one (same parent manager) with every floating-point tensor cast to
     * {@code type}, e.g. float16 for inference; integer tensors are kept. Every tensor is a copy
     * (DJL's {@code toType(type, true)} returns the same storage when the type already matches).
     */
    public StateDict toType(DataType type) {
        Map<String, NDArray> cast = new LinkedHashMap<>();
        tensors.forEach((k, v) -> cast.put(k, v.getDataType().isFloating() && v.getDataType() != type
                ? v.toType(type, false) : v.duplicate()));
        return of(manager.getParentManager(), source + " as " + type, cast);
    }

    public String source() {
        return source;
    }

    public NDManager manager() {
        return manager;
    }

    /** All tensors, in checkpoint order (read-only view). */
    public Map<String, NDArray> tensors() {
        return Collections.unmodifiableMap(tensors);
    }

    public boolean contains(String key) {
        return tensors.containsKey(key);
    }

    /**
     * Adds a tensor under {@code key}, or replaces (and closes) the one there, taking ownership of it;
     * it counts as used. For tensors that join a built model, e.g. embeddings of added tokens.
     */
    public void put(String key, NDArray tensor) {
        tensor.attach(manager);
        used.add(key);
        NDArray before = tensors.put(key, tensor);
        if (before != null && before != tensor) {
            before.close();
        }
    }

    /** A view rooted at the whole dict. */
    public Weights root() {
        return new Weights(this, "");
    }

    NDArray lookup(String key, long[] expected) {
        used.add(key);
        NDArray t = tensors.get(key);
        if (t == null && initialiser != null && expected != null) {
            t = initialiser.create(manager, key, new Shape(expected));
            tensors.put(key, t);
        }
        if (t == null) {
            problems.add("missing " + key + (expected == null ? "" : " " + new Shape(expected)));
        } else if (expected != null && !t.getShape().equals(new Shape(expected))) {
            problems.add(key + " has shape " + t.getShape() + ", the config expects " + new Shape(expected));
        } else {
            return t;
        }
        // Keep building so that one error can list every problem; verify() throws before use.
        return expected == null ? manager.zeros(new Shape(1)) : manager.zeros(new Shape(expected));
    }

    /**
     * Fails, naming the component and its source, when any lookup missed or mismatched, or when
     * keys were never used (unexpected keys) — all of them in one message.
     */
    public void verify(String component) {
        List<String> unexpected = tensors.keySet().stream().filter(k -> !used.contains(k)).sorted().toList();
        if (problems.isEmpty() && unexpected.isEmpty()) {
            return;
        }
        StringBuilder msg = new StringBuilder(component + " does not match its config (" + source + "):");
        problems.forEach(p -> msg.append("\n  ").append(p));
        unexpected.forEach(k -> msg.append("\n  unexpected ").append(k).append(' ').append(tensors.get(k).getShape()));
        throw new ModelLoadException(msg.toString());
    }

    /** Writes every tensor as F32 (or its integer type) in checkpoint order. */
    public void save(Path file, Map<String, String> metadata) throws IOException {
        write(file, tensors, metadata);
    }

    /**
     * Writes tensors that need not belong to a dict (e.g. renamed for another layout) in the map's
     * order, each in its own dtype; the caller keeps ownership.
     */
    public static void write(Path file, Map<String, NDArray> tensors, Map<String, String> metadata) throws IOException {
        Map<String, SafeTensorsWriter.Entry> entries = new LinkedHashMap<>();
        for (Map.Entry<String, NDArray> e : tensors.entrySet()) {
            entries.put(e.getKey(), entry(e.getValue()));
        }
        SafeTensorsWriter.write(file, entries, metadata);
    }

    static SafeTensorsWriter.Entry entry(NDArray t) {
        DType dtype = switch (t.getDataType()) {
            case FLOAT32 -> DType.F32;
            case FLOAT16 -> DType.F16;
            case FLOAT64 -> DType.F64;
            case INT64 -> DType.I64;
            case INT32 -> DType.I32;
            case INT8 -> DType.I8;
            case UINT8 -> DType.U8;
            case BOOLEAN -> DType.BOOL;
            default -> throw new IllegalArgumentException("cannot save " + t.getDataType());
        };
        ByteBuffer data = t.toByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
        return new SafeTensorsWriter.Entry(dtype, t.getShape().getShape(), data);
    }

    @Override
    public void close() {
        manager.close();
    }
}
