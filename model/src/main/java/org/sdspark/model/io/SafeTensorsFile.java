package org.sdspark.model.io;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A safetensors file opened for reading: the header is parsed and checked up front, tensor bytes
 * are memory-mapped one tensor at a time on request (so files larger than 2 GiB work as long as no
 * single tensor is).
 *
 * <p>Layout: u64 little-endian header length, a JSON header {name: {dtype, shape, data_offsets},
 * "__metadata__": {str: str}}, then the data section the offsets point into.
 */
public final class SafeTensorsFile implements TensorFile {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final long MAX_HEADER = 100L * 1024 * 1024;

    private final Path path;
    private final FileChannel channel;
    private final long dataStart;
    private final Map<String, TensorInfo> tensors;
    private final Map<String, String> metadata;

    private SafeTensorsFile(Path path, FileChannel channel, long dataStart,
                            Map<String, TensorInfo> tensors, Map<String, String> metadata) {
        this.path = path;
        this.channel = channel;
        this.dataStart = dataStart;
        this.tensors = tensors;
        this.metadata = metadata;
    }

    public static SafeTensorsFile open(Path path) throws IOException {
        FileChannel channel = FileChannel.open(path, StandardOpenOption.READ);
        try {
            return parse(path, channel);
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
    }

    // PyTorch's .ckpt/.pt/.bin files are pickles: torch.save writes a zip archive holding one (before
    // torch 1.6, a bare pickle). Their first bytes would otherwise read as an absurd header length.
    private static void rejectPickle(Path path, byte[] start) throws SafeTensorsException {
        boolean zip = start[0] == 'P' && start[1] == 'K' && start[2] == 3 && start[3] == 4;
        boolean pickle = (start[0] & 0xff) == 0x80 && start[1] >= 2 && start[1] <= 5;
        if (zip || pickle) {
            throw new SafeTensorsException(path, "a PyTorch pickle checkpoint (" + (zip ? "zip archive" : "bare pickle")
                    + ", as torch.save writes .ckpt/.pt/.bin files), not safetensors; sdspark reads .safetensors only");
        }
    }

    private static SafeTensorsFile parse(Path path, FileChannel channel) throws IOException {
        long size = channel.size();
        if (size < 8) {
            throw new SafeTensorsException(path, "file is " + size + " bytes, too short for a safetensors header");
        }
        ByteBuffer lengthBytes = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
        channel.read(lengthBytes, 0);
        rejectPickle(path, lengthBytes.array());
        long headerLength = lengthBytes.flip().getLong();
        if (headerLength <= 0 || headerLength > MAX_HEADER || 8 + headerLength > size) {
            throw new SafeTensorsException(path, "header length " + headerLength
                    + " does not fit the file size " + size + " (truncated or not a safetensors file)");
        }
        ByteBuffer header = ByteBuffer.allocate((int) headerLength);
        channel.read(header, 8);
        JsonNode root;
        try {
            root = JSON.readTree(new String(header.array(), StandardCharsets.UTF_8));
        } catch (JsonProcessingException e) {
            throw new SafeTensorsException(path, "header is not valid JSON: " + e.getOriginalMessage(), e);
        }
        if (root == null || !root.isObject()) {
            throw new SafeTensorsException(path, "header is not a JSON object");
        }
        long dataStart = 8 + headerLength;
        long dataLength = size - dataStart;
        Map<String, TensorInfo> tensors = new LinkedHashMap<>();
        Map<String, String> metadata = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = root.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> field = it.next();
            if (field.getKey().equals("__metadata__")) {
                field.getValue().fields().forEachRemaining(m -> metadata.put(m.getKey(), m.getValue().asText()));
                continue;
            }
            TensorInfo info = tensorInfo(path, field.getKey(), field.getValue());
            if (info.end() > dataLength) {
                throw new SafeTensorsException(path, "tensor '" + info.name() + "' ends at byte " + info.end()
                        + " but the data section holds " + dataLength + " bytes (file truncated?)");
            }
            tensors.put(info.name(), info);
        }
        return new SafeTensorsFile(path, channel, dataStart,
                Collections.unmodifiableMap(tensors), Collections.unmodifiableMap(metadata));
    }

    private static TensorInfo tensorInfo(Path path, String name, JsonNode node) throws SafeTensorsException {
        DType dtype;
        try {
            dtype = DType.valueOf(node.path("dtype").asText());
        } catch (IllegalArgumentException e) {
            throw new SafeTensorsException(path, "tensor '" + name + "' has unsupported dtype '"
                    + node.path("dtype").asText() + "'");
        }
        JsonNode shapeNode = node.path("shape");
        JsonNode offsets = node.path("data_offsets");
        if (!shapeNode.isArray() || !offsets.isArray() || offsets.size() != 2) {
            throw new SafeTensorsException(path, "tensor '" + name + "' lacks shape or data_offsets");
        }
        long[] shape = new long[shapeNode.size()];
        for (int i = 0; i < shape.length; i++) {
            shape[i] = shapeNode.get(i).asLong();
        }
        TensorInfo info = new TensorInfo(name, dtype, shape, offsets.get(0).asLong(), offsets.get(1).asLong());
        if (info.begin() < 0 || info.byteLength() != info.elementCount() * dtype.bytes()) {
            throw new SafeTensorsException(path, "tensor '" + name + "' " + dtype + info.shapeString()
                    + " needs " + info.elementCount() * dtype.bytes() + " bytes but its offsets span "
                    + info.byteLength());
        }
        return info;
    }

    @Override
    public Path path() {
        return path;
    }

    /** Tensors in header order. */
    @Override
    public Map<String, TensorInfo> tensors() {
        return tensors;
    }

    @Override
    public Map<String, String> metadata() {
        return metadata;
    }

    /** The tensor's bytes, little-endian, memory-mapped (read-only). */
    @Override
    public ByteBuffer data(String name) throws IOException {
        TensorInfo info = tensors.get(name);
        if (info == null) {
            throw new SafeTensorsException(path, "no tensor named '" + name + "'");
        }
        if (info.byteLength() > Integer.MAX_VALUE) {
            throw new SafeTensorsException(path, "tensor '" + name + "' is over 2 GiB");
        }
        if (info.byteLength() == 0) {
            return ByteBuffer.allocate(0).order(ByteOrder.LITTLE_ENDIAN);
        }
        return channel.map(FileChannel.MapMode.READ_ONLY, dataStart + info.begin(), info.byteLength())
                .order(ByteOrder.LITTLE_ENDIAN);
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }
}
