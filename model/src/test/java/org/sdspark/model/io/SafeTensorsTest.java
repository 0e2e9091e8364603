package org.sdspark.model.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sdspark.model.nn.StateDict;

class SafeTensorsTest {
    @TempDir
    Path dir;

    @Test
    void roundTripsEveryDtypeBitExactly() throws IOException {
        Path file = dir.resolve("t.safetensors");
        try (NDManager m = NDManager.newBaseManager()) {
            Map<String, NDArray> tensors = new LinkedHashMap<>();
            tensors.put("a.weight", m.randomNormal(new Shape(3, 5)));
            tensors.put("b.ids", m.arange(0L, 7L, 1L, DataType.INT64).reshape(7));
            tensors.put("scalar", m.create(2.5f).reshape(new Shape()));
            try (StateDict sd = StateDict.of(m, "memory", tensors)) {
                sd.save(file, Map.of("format", "pt"));
                try (StateDict back = StateDict.load(m, file)) {
                    assertThat(back.tensors().keySet()).containsExactly("a.weight", "b.ids", "scalar");
                    for (String k : sd.tensors().keySet()) {
                        assertThat(back.tensors().get(k).getShape()).isEqualTo(sd.tensors().get(k).getShape());
                        assertThat(back.tensors().get(k).contentEquals(sd.tensors().get(k))).as(k).isTrue();
                    }
                }
            }
            byte[] first = Files.readAllBytes(file);
            try (StateDict back = StateDict.load(m, file)) {
                Path again = dir.resolve("again.safetensors");
                back.save(again, Map.of("format", "pt"));
                assertThat(Files.readAllBytes(again)).isEqualTo(first);
            }
            try (SafeTensorsFile st = SafeTensorsFile.open(file)) {
                assertThat(st.metadata()).containsEntry("format", "pt");
                assertThat(st.tensors().get("a.weight").dtype()).isEqualTo(DType.F32);
                // data section aligned to 8 bytes, as the reference writer pads the header
                assertThat(Files.size(file) - 4 * 15 - 8 * 7 - 4).isEqualTo(8 + headerLength(file));
                assertThat(headerLength(file) % 8).isZero();
            }
        }
    }

    @Test
    void widensHalfAndBfloat16ToFloat32() throws IOException {
        // 1.5 and -2.0 in fp16 (0x3E00, 0xC000) and bf16 (0x3FC0, 0xC000)
        Path file = write(dir.resolve("half.safetensors"),
                "{\"h\":{\"dtype\":\"F16\",\"shape\":[2],\"data_offsets\":[0,4]},"
                        + "\"b\":{\"dtype\":\"BF16\",\"shape\":[2],\"data_offsets\":[4,8]}}",
                new short[] {0x3E00, (short) 0xC000, 0x3FC0, (short) 0xC000});
        try (NDManager m = NDManager.newBaseManager(); StateDict sd = StateDict.load(m, file)) {
            assertThat(sd.tensors().get("h").getDataType()).isEqualTo(DataType.FLOAT32);
            assertThat(sd.tensors().get("h").toFloatArray()).containsExactly(1.5f, -2.0f);
            assertThat(sd.tensors().get("b").toFloatArray()).containsExactly(1.5f, -2.0f);
        }
    }

    @Test
    void truncatedFileIsAClearErrorNamingTheFile() throws IOException {
        Path good = dir.resolve("good.safetensors");
        try (NDManager m = NDManager.newBaseManager();
             StateDict sd = StateDict.of(m, "memory", Map.of("w", m.ones(new Shape(64, 64))))) {
            sd.save(good, Map.of());
        }
        byte[] bytes = Files.readAllBytes(good);
        Path truncated = dir.resolve("truncated.safetensors");
        Files.write(truncated, java.util.Arrays.copyOf(bytes, bytes.length - 100));
        assertThatThrownBy(() -> SafeTensorsFile.open(truncated))
                .isInstanceOf(SafeTensorsException.class)
                .hasMessageContaining("truncated.safetensors")
                .hasMessageContaining("'w'")
                .hasMessageContaining("truncated");

        Path headerCut = dir.resolve("cut.safetensors");
        Files.write(headerCut, java.util.Arrays.copyOf(bytes, 20));
        assertThatThrownBy(() -> SafeTensorsFile.open(headerCut))
                .hasMessageContaining("cut.safetensors").hasMessageContaining("header length");

        Path text = dir.resolve("notes.safetensors");
        Files.writeString(text, "this is not a checkpoint at all, just text");
        assertThatThrownBy(() -> SafeTensorsFile.open(text)).hasMessageContaining("notes.safetensors");
    }

    @Test
    void aPickleCheckpointIsNamedForWhatItIs() throws IOException {
        Path ckpt = dir.resolve("v1-5.ckpt");
        try (ZipOutputStream zip = new ZipOutputStream(Files.newOutputStream(ckpt))) {
            zip.putNextEntry(new ZipEntry("archive/data.pkl"));
            zip.write(new byte[] {(byte) 0x80, 2, '}', 'q', 0, '.'});
        }
        assertThatThrownBy(() -> SafeTensorsFile.open(ckpt)).isInstanceOf(SafeTensorsException.class)
                .hasMessageStartingWith(ckpt + ": a PyTorch pickle checkpoint (zip archive").hasMessageContaining("not safetensors");
        Path legacy = Files.write(dir.resolve("old.pt"), new byte[] {(byte) 0x80, 2, (byte) 0x8a, 10, 'l', (byte) 0xfc, (byte) 0x9c, 'F'});
        assertThatThrownBy(() -> SafeTensorsFile.open(legacy)).hasMessageContaining("bare pickle");
    }

    @Test
    void writtenFilesGetTheModeOfAnyNewFileNotAPrivateOne() throws IOException {
        Path plain = Files.writeString(dir.resolve("plain.json"), "{}");
        Path file = dir.resolve("w.safetensors");
        try (NDManager m = NDManager.newBaseManager()) {
            StateDict.write(file, Map.of("w", m.zeros(new Shape(2))), Map.of());
        }
        assertThat(Files.getPosixFilePermissions(file)).isEqualTo(Files.getPosixFilePermissions(plain));
        assertThat(dir.toFile().list()).containsExactlyInAnyOrder("plain.json", "w.safetensors");
    }

    @Test
    void offsetsThatDisagreeWithTheShapeAreRejected() throws IOException {
        Path file = write(dir.resolve("bad.safetensors"),
                "{\"w\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[0,8]}}", new short[] {0, 0, 0, 0});
        assertThatThrownBy(() -> SafeTensorsFile.open(file))
                .hasMessageContaining("bad.safetensors").hasMessageContaining("'w'").hasMessageContaining("needs 12 bytes");
    }

    private static long headerLength(Path file) throws IOException {
        byte[] first8 = java.util.Arrays.copyOf(Files.readAllBytes(file), 8);
        return ByteBuffer.wrap(first8).order(ByteOrder.LITTLE_ENDIAN).getLong();
    }

    private static Path write(Path file, String header, short[] data) throws IOException {
        byte[] json = header.getBytes(StandardCharsets.UTF_8);
        ByteBuffer buf = ByteBuffer.allocate(8 + json.length + data.length * 2).order(ByteOrder.LITTLE_ENDIAN);
        buf.putLong(json.length).put(json);
        for (short s : data) {
            buf.putShort(s);
        }
        Files.write(file, buf.array());
        return file;
    }
}
