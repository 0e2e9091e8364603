package org.sdspark.model.io.torch;

import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import org.sdspark.model.io.DType;

/**
 * The globals a checkpoint's pickle may name, and what each means in Java. A pickle names a
 * global to call it: {@code os.system} is called exactly like {@code collections.OrderedDict}.
 * So nothing is imported or looked up by name: the few globals that rebuild tensors, storages
 * and containers are implemented here, a few inert values Lightning keeps beside the weights are
 * recorded by name without being built, and every other name is refused.
 */
final class PickleGlobals {

    /** What a GLOBAL opcode pushed: called by REDUCE and NEWOBJ, or kept as a value. */
    sealed interface Global permits Builder, StorageType, Recorded {
        String name();
    }

    /** A function or class whose effect is a Java value built from its arguments. */
    record Builder(String name, Function<List<Object>, Object> build) implements Global {
    }

    /** {@code torch.FloatStorage} and its kin: only ever named inside a storage's persistent id. */
    record StorageType(String name, DType dtype) implements Global {
    }

    /**
     * A class or function whose values a checkpoint only carries along (a numpy scalar, Lightning's
     * ModelCheckpoint as a dict key): calling it records the call instead of making anything.
     */
    record Recorded(String name) implements Global {
    }

    /** The result of calling a {@link Recorded} global; BUILD sets its state. Never interpreted. */
    static final class RecordedObject {
        final String global;
        final List<Object> args;
        Object state;

        RecordedObject(String global, List<Object> args) {
            this.global = global;
            this.args = args;
        }

        @Override
        public String toString() {
            return global + args;
        }
    }

    private static final Map<String, Global> ALLOWED = new LinkedHashMap<>();

    static {
        builder("collections.OrderedDict", args -> new LinkedHashMap<>()); // the items follow as SETITEMS
        builder("torch._utils._rebuild_tensor_v2", PickleGlobals::rebuildTensor);
        builder("torch._utils._rebuild_tensor", PickleGlobals::rebuildTensor);
        builder("torch._utils._rebuild_parameter", args -> tensor(args, 0, "torch._utils._rebuild_parameter"));
        builder("torch._utils._rebuild_parameter_with_state",
                args -> tensor(args, 0, "torch._utils._rebuild_parameter_with_state"));
        builder("torch._tensor._rebuild_from_type_v2", PickleGlobals::rebuildFromType);
        for (String type : List.of("torch._tensor.Tensor", "torch.Tensor", "torch.nn.parameter.Parameter")) {
            ALLOWED.put(type, new Recorded(type));
        }
        storage("FloatStorage", DType.F32);
        storage("HalfStorage", DType.F16);
        storage("BFloat16Storage", DType.BF16);
        storage("DoubleStorage", DType.F64);
        storage("LongStorage", DType.I64);
        storage("IntStorage", DType.I32);
        storage("ShortStorage", DType.I16);
        storage("CharStorage", DType.I8);
        storage("ByteStorage", DType.U8);
        storage("BoolStorage", DType.BOOL);
        // Protocol 2 has no bytes type: pickle writes bytes b as _codecs.encode(b.decode('latin1'), 'latin1').
        builder("_codecs.encode", PickleGlobals::encode);
        for (String set : List.of("builtins.set", "__builtin__.set")) {
            builder(set, args -> args.isEmpty() ? new LinkedHashSet<>() : new LinkedHashSet<>((Collection<?>) args.get(0)));
        }
        for (String inert : List.of("numpy.core.multiarray.scalar", "numpy._core.multiarray.scalar", "numpy.dtype",
                "pytorch_lightning.callbacks.model_checkpoint.ModelCheckpoint")) {
            ALLOWED.put(inert, new Recorded(inert));
        }
    }

    private PickleGlobals() {
    }

    /** The global {@code module.name}, or empty when a checkpoint has no business naming it. */
    static Optional<Global> lookup(String module, String name) {
        return Optional.ofNullable(ALLOWED.get(module + "." + name));
    }

    private static void builder(String name, Function<List<Object>, Object> build) {
        ALLOWED.put(name, new Builder(name, build));
    }

    private static void storage(String type, DType dtype) {
        ALLOWED.put("torch." + type, new StorageType("torch." + type, dtype));
    }

    /** (storage, storage_offset, size, stride[, requires_grad, backward_hooks[, metadata]]). */
    private static TorchTensor rebuildTensor(List<Object> args) {
        if (args.size() < 4 || !(args.get(0) instanceof TorchStorage storage) || !(args.get(1) instanceof Long offset)
                || !(args.get(2) instanceof List<?> size) || !(args.get(3) instanceof List<?> stride)
                || size.size() != stride.size()) {
            throw new IllegalArgumentException("_rebuild_tensor_v2 expects (storage, offset, size, stride, ...), got " + args);
        }
        return new TorchTensor(storage, offset, longs(size), longs(stride));
    }

    /** (func, new_type, args, state): the tensor func(*args) makes; a subclass or attributes do not change its data. */
    private static Object rebuildFromType(List<Object> args) {
        if (args.size() != 4 || !(args.get(0) instanceof Builder func) || !(args.get(2) instanceof List<?> funcArgs)) {
            throw new IllegalArgumentException("_rebuild_from_type_v2 expects (func, type, args, state), got " + args);
        }
        @SuppressWarnings("unchecked")
        List<Object> inner = (List<Object>) funcArgs;
        return func.build().apply(inner);
    }

    private static TorchTensor tensor(List<Object> args, int index, String function) {
        if (args.size() <= index || !(args.get(index) instanceof TorchTensor t)) {
            throw new IllegalArgumentException(function + " expects a tensor as argument " + index + ", got " + args);
        }
        return t;
    }

    private static byte[] encode(List<Object> args) {
        if (args.size() != 2 || !(args.get(0) instanceof String text) || !(args.get(1) instanceof String encoding)) {
            throw new IllegalArgumentException("_codecs.encode expects (str, encoding), got " + args);
        }
        Charset charset = encoding.equals("latin1") || encoding.equals("latin-1") ? StandardCharsets.ISO_8859_1
                : encoding.equals("utf-8") || encoding.equals("utf8") ? StandardCharsets.UTF_8 : null;
        if (charset == null) {
            throw new IllegalArgumentException("_codecs.encode with encoding '" + encoding + "'");
        }
        return text.getBytes(charset);
    }

    private static long[] longs(List<?> values) {
        long[] out = new long[values.size()];
        for (int i = 0; i < out.length; i++) {
            if (!(values.get(i) instanceof Long v) || v < 0) {
                throw new IllegalArgumentException("expected non-negative integers, got " + values);
            }
            out[i] = v;
        }
        return out;
    }
}
