package org.sdspark.model.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.util.Map;
import org.sdspark.model.io.SafeTensorsFile;
import org.sdspark.model.nn.StateDict;
import org.sdspark.model.testing.Fixtures;

/** One file of fixtures/train (make_training_fixtures.py): its tensors and its settings. */
record TrainingFixture(StateDict dict, JsonNode settings) implements AutoCloseable {

    static TrainingFixture load(NDManager manager, String name) throws IOException {
        var path = Fixtures.path("train/" + name + ".safetensors");
        JsonNode settings;
        try (SafeTensorsFile file = SafeTensorsFile.open(path)) {
            settings = new ObjectMapper().readTree(file.metadata().get("settings"));
        }
        return new TrainingFixture(StateDict.load(manager, path), settings);
    }

    NDArray get(String key) {
        NDArray t = dict.tensors().get(key);
        if (t == null) {
            throw new IllegalArgumentException("fixture has no " + key);
        }
        return t;
    }

    Map<String, NDArray> tensors() {
        return dict.tensors();
    }

    double number(String key) {
        return settings.get(key).asDouble();
    }

    @Override
    public void close() {
        dict.close();
    }
}
