package org.sdspark.model.pipeline;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.TreeMap;
import java.util.zip.GZIPInputStream;
import org.sdspark.model.checkpoint.CheckpointFamily;
import org.sdspark.model.clip.ClipTokenizer;

/**
 * The CLIP tokenizer folder of SD 1.x and 2.x, shipped with sdspark so that a single-file
 * checkpoint without configs loads: both use CLIP's vocabulary; SD 2.x pads with "!".
 */
public final class BundledTokenizer {
    private static final String RESOURCES = "clip-vocab/";
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private BundledTokenizer() {
    }

    /** tokenizer/vocab.json, tokenizer/merges.txt and tokenizer/tokenizer_config.json for {@code family}. */
    public static PipelineFiles files(CheckpointFamily family) {
        ObjectNode config = JSON.createObjectNode();
        config.put("bos_token", ClipTokenizer.START_OF_TEXT);
        config.put("eos_token", ClipTokenizer.END_OF_TEXT);
        config.put("model_max_length", ClipTokenizer.DEFAULT_MAX_LENGTH);
        config.put("pad_token", family == CheckpointFamily.SD2 ? "!" : ClipTokenizer.END_OF_TEXT);
        config.put("tokenizer_class", "CLIPTokenizer");
        config.put("unk_token", ClipTokenizer.END_OF_TEXT);
        try {
            Map<String, byte[]> files = new TreeMap<>();
            files.put(PipelineFiles.TOKENIZER + "/vocab.json", gunzip("vocab.json.gz"));
            files.put(PipelineFiles.TOKENIZER + "/merges.txt", gunzip("merges.txt.gz"));
            files.put(PipelineFiles.TOKENIZER + "/tokenizer_config.json", JSON.writeValueAsBytes(config));
            return new PipelineFiles(files);
        } catch (IOException e) {
            throw new UncheckedIOException("the bundled CLIP vocabulary is unreadable", e);
        }
    }

    private static byte[] gunzip(String name) throws IOException {
        InputStream raw = BundledTokenizer.class.getResourceAsStream(RESOURCES + name);
        if (raw == null) {
            throw new IOException("resource " + RESOURCES + name + " is missing from the classpath");
        }
        try (InputStream in = new GZIPInputStream(raw)) {
            return in.readAllBytes();
        }
    }
}
