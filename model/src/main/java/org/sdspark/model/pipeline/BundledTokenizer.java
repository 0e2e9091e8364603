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
 * The CLIP tokenizer folders of SD 1.x, 2.x and SDXL, shipped with sdspark so that a single-file
 * checkpoint without configs loads: all use CLIP's vocabulary; SD 2.x and SDXL's second
 * tokenizer pad with "!".
 */
public final class BundledTokenizer {
    private static final String RESOURCES = "clip-vocab/";
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private BundledTokenizer() {
    }

    /**
     * tokenizer/vocab.json, tokenizer/merges.txt and tokenizer/tokenizer_config.json for {@code
     * family}, and the same under tokenizer_2/ for SDXL.
     */
    public static PipelineFiles files(CheckpointFamily family) {
        try {
            Map<String, byte[]> files = new TreeMap<>();
            if (family == CheckpointFamily.SDXL) {
                add(files, PipelineFiles.TOKENIZER, ClipTokenizer.END_OF_TEXT);
                add(files, PipelineFiles.TOKENIZER_2, "!");
            } else {
                add(files, PipelineFiles.TOKENIZER, family == CheckpointFamily.SD2 ? "!" : ClipTokenizer.END_OF_TEXT);
            }
            return new PipelineFiles(files);
        } catch (IOException e) {
            throw new UncheckedIOException("the bundled CLIP vocabulary is unreadable", e);
        }
    }

    private static void add(Map<String, byte[]> files, String folder, String pad) throws IOException {
        ObjectNode config = JSON.createObjectNode();
        config.put("bos_token", ClipTokenizer.START_OF_TEXT);
        config.put("eos_token", ClipTokenizer.END_OF_TEXT);
        config.put("model_max_length", ClipTokenizer.DEFAULT_MAX_LENGTH);
        config.put("pad_token", pad);
        config.put("tokenizer_class", "CLIPTokenizer");
        config.put("unk_token", ClipTokenizer.END_OF_TEXT);
        files.put(folder + "/vocab.json", gunzip("vocab.json.gz"));
        files.put(folder + "/merges.txt", gunzip("merges.txt.gz"));
        files.put(folder + "/tokenizer_config.json", JSON.writeValueAsBytes(config));
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
