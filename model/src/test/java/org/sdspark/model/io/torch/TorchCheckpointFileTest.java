package org.sdspark.model.io.torch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.sdspark.model.io.DType;
import org.sdspark.model.io.TensorFile;
import org.sdspark.model.io.TensorInfo;
import org.sdspark.model.nn.StateDict;
import org.sdspark.model.testing.Fixtures;

/** Files written by torch.save (fixtures/ckpt, see make_ckpt_sampler_fixtures.py) read by the restricted unpickler. */
class TorchCheckpointFileTest {
    private static final Map<String, DType> DTYPES = Map.of("torch.float32", DType.F32, "torch.float16", DType.F16,
            "torch.bfloat16", DType.BF16, "torch.float64", DType.F64, "torch.int64", DType.I64, "torch.int32", DType.I32,
            "torch.int8", DType.I8, "torch.uint8", DType.U8, "torch.bool", DType.BOOL);

    @TempDir
    Path dir;

    /** Every dtype, views with offsets, a transpose sharing its storage, a scalar, an empty tensor, a Parameter. */
    @ParameterizedTest
    @ValueSource(strings = {"tensors.pt", "tensors-protocol4.pt", "tensors-legacy.pt"})
    void readsWhatTorchSavedExactly(String name) throws IOException {
        JsonNode described = new ObjectMapper().readTree(Fixtures.path("ckpt/tensors.json").toFile());
        Path file = Fixtures.path("ckpt/" + name);
        try (TensorFile tf = TensorFile.open(file)) {
            assertThat(tf).isInstanceOf(TorchCheckpointFile.class);
            assertThat(tf.tensors().keySet()).containsExactlyElementsOf(() -> described.fieldNames());
            for (TensorInfo info : tf.tensors().values()) {
                JsonNode d = described.get(info.name());
                assertThat(info.dtype()).as(info.name()).isEqualTo(DTYPES.get(d.get("dtype").asText()));
                assertThat(info.shape()).as(info.name()).containsExactly(longs(d.get("shape")));
            }
        }
        try (NDManager m = NDManager.newBaseManager();
             StateDict actual = StateDict.load(m, file);
             StateDict expected = StateDict.load(m, Fixtures.path("ckpt/tensors.safetensors"))) {
            for (Map.Entry<String, NDArray> e : expected.tensors().entrySet()) {
                NDArray a = actual.tensors().get(e.getKey());
                assertThat(a.getShape()).as(e.getKey()).isEqualTo(e.getValue().getShape());
                assertThat(a.getDataType()).as(e.getKey()).isEqualTo(e.getValue().getDataType());
                assertThat(a.contentEquals(e.getValue())).as(name + " " + e.getKey()).isTrue();
            }
        }
    }

    /** A Lightning checkpoint: the state dict is unwrapped; numpy scalars, bytes and a callback class are read past. */
    @Test
    void unwrapsTheStateDictOfATrainingCheckpoint() throws IOException {
        try (TensorFile zip = TensorFile.open(Fixtures.path("ckpt/tiny-sd-ema.ckpt"));
             TensorFile legacy = TensorFile.open(Fixtures.path("ckpt/tiny-sd-ema-fp16-legacy.ckpt"))) {
            assertThat(zip.tensors()).hasSize(845).containsKeys("model_ema.decay", "betas",
                    "model.diffusion_model.input_blocks.0.0.weight", "model_ema.diffusion_modelinput_blocks00weight");
            assertThat(legacy.tensors().keySet()).containsExactlyElementsOf(zip.tensors().keySet());
            assertThat(legacy.tensors().get("model.diffusion_model.input_blocks.0.0.weight").dtype()).isEqualTo(DType.F16);
            assertThat(legacy.tensors().get("model_ema.num_updates").dtype()).isEqualTo(DType.I32);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"planted-os-system.ckpt", "planted-os-system-legacy.ckpt"})
    void refusesAPickleThatCallsOsSystemWithoutRunningIt(String name) {
        Path file = Fixtures.path("ckpt/" + name);
        assertThatThrownBy(() -> TensorFile.open(file).close())
                .isInstanceOf(RefusedPickleException.class)
                .hasMessageContaining(file.toString())
                .hasMessageContaining("global 'posix.system'")
                .hasMessageContaining("ran nothing");
    }

    @Test
    void refusesAPickledModule() {
        Path file = Fixtures.path("ckpt/whole-module.pt");
        assertThatThrownBy(() -> TensorFile.open(file).close())
                .isInstanceOf(RefusedPickleException.class)
                .hasMessageContaining("global 'torch.nn.modules.linear.Linear'");
    }

    @ParameterizedTest
    @ValueSource(strings = {"tiny-sd-ema.ckpt", "tiny-sd-ema-fp16-legacy.ckpt"})
    void aTruncatedCheckpointIsAnErrorNamingTheFile(String name) throws IOException {
        byte[] whole = Files.readAllBytes(Fixtures.path("ckpt/" + name));
        Path cut = Files.write(dir.resolve("cut-" + name), Arrays.copyOf(whole, whole.length / 2));
        assertThatThrownBy(() -> TensorFile.open(cut).close())
                .isInstanceOf(IOException.class)
                .hasMessageContaining(cut.toString())
                .hasMessageContaining("truncated");
    }

    @Test
    void aPickleThatIsNotACheckpointSaysSo() throws IOException {
        Path file = Files.write(dir.resolve("list.pt"), new byte[] {(byte) 0x80, 2, ']', '.'});
        assertThatThrownBy(() -> TensorFile.open(file).close())
                .isInstanceOf(TorchCheckpointException.class)
                .hasMessageContaining("not a torch.save checkpoint");
    }

    private static long[] longs(JsonNode array) {
        long[] out = new long[array.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = array.get(i).asLong();
        }
        return out;
    }
}
