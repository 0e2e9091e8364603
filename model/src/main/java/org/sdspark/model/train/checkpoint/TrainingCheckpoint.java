package org.sdspark.model.train.checkpoint;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.sdspark.model.nn.StateDict;
import org.sdspark.model.train.FlatLayout;
import org.sdspark.model.train.ParameterUpdate;
import org.sdspark.model.train.optim.OptimizerState;

/**
 * Writes and reads a run's full state in a checkpoint folder, every tensor by parameter key so a
 * checkpoint never depends on the flat layout: {@code trained.safetensors} (fp32 masters),
 * {@code optimizer.safetensors} ({@code <state>/<key>}), {@code ema.safetensors}, and
 * {@code state.json} last.
 */
public final class TrainingCheckpoint {
    static final String STATE = "state.json";
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private TrainingCheckpoint() {
    }

    public static void write(Path folder, ParameterUpdate update, TrainingState state) throws IOException {
        FlatLayout layout = update.parameters().layout();
        try (NDManager scope = update.master().getManager().newSubManager()) {
            StateDict.write(folder.resolve("trained.safetensors"), byKey(scope, layout, update.master(), 1, ""), Map.of());
            Map<String, NDArray> optimizer = new LinkedHashMap<>();
            for (OptimizerState s : update.optimizer().state()) {
                optimizer.putAll(byKey(scope, layout, s.values(), s.elementsPerEntry(), s.name() + "/"));
            }
            StateDict.write(folder.resolve("optimizer.safetensors"), optimizer, Map.of());
            if (update.ema() != null) {
                StateDict.write(folder.resolve("ema.safetensors"), byKey(scope, layout, update.ema().shadow(), 1, ""), Map.of());
            }
        }
        JSON.writeValue(folder.resolve(STATE).toFile(), state);
    }

    /** Restores masters (and the model), optimizer and EMA; returns the scalar state. */
    public static TrainingState read(Path folder, ParameterUpdate update) throws IOException {
        TrainingState state = JSON.readValue(folder.resolve(STATE).toFile(), TrainingState.class);
        FlatLayout layout = update.parameters().layout();
        checkKeys(folder, state.trainedKeys(), layout.keys());
        NDManager owner = update.master().getManager();
        try (NDManager scope = owner.newSubManager();
             StateDict trained = StateDict.load(scope, folder.resolve("trained.safetensors"));
             StateDict optimizer = StateDict.load(scope, folder.resolve("optimizer.safetensors"))) {
            NDArray master = update.master().zerosLike();
            master.attach(scope);
            fill(master, layout, trained.tensors(), 1, "");
            update.restore(master, state.appliedSteps());
            for (OptimizerState s : update.optimizer().state()) {
                fill(s.values(), layout, optimizer.tensors(), s.elementsPerEntry(), s.name() + "/");
            }
            if (update.ema() != null) {
                try (StateDict ema = StateDict.load(scope, folder.resolve("ema.safetensors"))) {
                    NDArray shadow = update.ema().shadow().zerosLike();
                    shadow.attach(scope);
                    fill(shadow, layout, ema.tensors(), 1, "");
                    update.ema().restore(shadow, state.emaUpdates());
                }
            }
            if (update.scaler() != null && state.scaler() != null) {
                update.scaler().restore(state.scaler());
            }
        }
        return state;
    }

    private static void checkKeys(Path folder, List<String> saved, List<String> current) {
        if (saved.equals(current)) {
            return;
        }
        TreeSet<String> missing = new TreeSet<>(current);
        missing.removeAll(saved);
        TreeSet<String> unexpected = new TreeSet<>(saved);
        unexpected.removeAll(current);
        throw new IllegalStateException(folder + " was saved for another selection of trained parameters: this run trains "
                + missing.size() + " keys it lacks " + preview(missing) + " and it holds " + unexpected.size()
                + " this run does not train " + preview(unexpected));
    }

    private static String preview(TreeSet<String> keys) {
        List<String> first = new ArrayList<>(keys).subList(0, Math.min(5, keys.size()));
        return first + (keys.size() > 5 ? "..." : "");
    }

    private static Map<String, NDArray> byKey(NDManager scope, FlatLayout layout, NDArray flat, int perEntry, String prefix) {
        Map<String, NDArray> out = new LinkedHashMap<>();
        for (FlatLayout.Entry e : layout.entries()) {
            NDArray part = flat.get(range(e, perEntry));
            part.attach(scope);
            NDArray shaped = perEntry == 1 ? part.reshape(new Shape(e.shape())) : part;
            shaped.attach(scope);
            out.put(prefix + e.key(), shaped);
        }
        return out;
    }

    private static void fill(NDArray flat, FlatLayout layout, Map<String, NDArray> tensors, int perEntry, String prefix) {
        for (FlatLayout.Entry e : layout.entries()) {
            NDArray saved = tensors.get(prefix + e.key());
            if (saved == null) {
                throw new IllegalStateException("checkpoint lacks " + prefix + e.key());
            }
            flat.set(range(e, perEntry), saved.reshape(-1));
        }
    }

    private static NDIndex range(FlatLayout.Entry e, int perEntry) {
        long from = e.offset() / perEntry;
        long to = perEntry == 1 ? e.end() : (e.end() + perEntry - 1) / perEntry;
        return new NDIndex("{}:{}", from, to);
    }
}
