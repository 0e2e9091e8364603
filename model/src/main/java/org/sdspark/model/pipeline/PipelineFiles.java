package org.sdspark.model.pipeline;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.sdspark.model.nn.ModelLoadException;

/**
 * The files of a diffusers pipeline folder other than weights: model_index.json, each component's
 * config and the tokenizers' files ({@code tokenizer_2/} too for SDXL), by path relative to the
 * folder ({@code unet/config.json}).
 * Kept as the bytes read, so that saving writes them back unchanged; embedded in a single-file
 * checkpoint's {@code __metadata__} under {@value #METADATA_PREFIX}{@code <path>}.
 */
public record PipelineFiles(Map<String, byte[]> files) {
    public static final String METADATA_PREFIX = "sdspark/";
    public static final String MODEL_INDEX = "model_index.json";
    public static final String UNET_CONFIG = "unet/config.json";
    public static final String VAE_CONFIG = "vae/config.json";
    public static final String TEXT_ENCODER_CONFIG = "text_encoder/config.json";
    public static final String SCHEDULER_CONFIG = "scheduler/scheduler_config.json";
    public static final String TOKENIZER = "tokenizer";
    /** SDXL's second text encoder and its tokenizer. */
    public static final String TEXT_ENCODER_2_CONFIG = "text_encoder_2/config.json";
    public static final String TOKENIZER_2 = "tokenizer_2";
    private static final List<String> REQUIRED = List.of(UNET_CONFIG, VAE_CONFIG, TEXT_ENCODER_CONFIG, SCHEDULER_CONFIG);
    // the CLIP vocabulary: vocab.json and merges.txt, or (all transformers 5 writes) tokenizer.json
    private static final List<String> VOCABULARY = List.of("vocab.json", "merges.txt");
    private static final String TOKENIZER_JSON = "tokenizer.json";

    public PipelineFiles {
        files = Collections.unmodifiableMap(new TreeMap<>(files));
    }

    /** The config and tokenizer files of a diffusers folder; fails naming every required file that is missing. */
    public static PipelineFiles read(Path folder) throws IOException {
        if (!Files.isDirectory(folder)) {
            throw new ModelLoadException(folder + " is not a directory (expected a diffusers pipeline folder)");
        }
        Map<String, byte[]> files = new TreeMap<>();
        for (String name : List.of(MODEL_INDEX, UNET_CONFIG, VAE_CONFIG, TEXT_ENCODER_CONFIG, TEXT_ENCODER_2_CONFIG,
                SCHEDULER_CONFIG)) {
            Path file = folder.resolve(name);
            if (Files.isRegularFile(file)) {
                files.put(name, Files.readAllBytes(file));
            }
        }
        for (String name : List.of(TOKENIZER, TOKENIZER_2)) {
            Path tokenizer = folder.resolve(name);
            if (Files.isDirectory(tokenizer)) {
                try (Stream<Path> list = Files.list(tokenizer)) {
                    for (Path file : list.filter(Files::isRegularFile).sorted(Comparator.comparing(Path::toString)).toList()) {
                        files.put(name + "/" + file.getFileName(), Files.readAllBytes(file));
                    }
                }
            }
        }
        PipelineFiles result = new PipelineFiles(files);
        result.requireComplete(folder.toString());
        return result;
    }

    /** The files embedded by {@link #toMetadata}, if the metadata has any. */
    public static PipelineFiles fromMetadata(Map<String, String> metadata) {
        Map<String, byte[]> files = new TreeMap<>();
        metadata.forEach((k, v) -> {
            if (k.startsWith(METADATA_PREFIX)) {
                files.put(k.substring(METADATA_PREFIX.length()), v.getBytes(StandardCharsets.UTF_8));
            }
        });
        return new PipelineFiles(files);
    }

    /**
     * Every file as a metadata entry, the tokenizer's tokenizer.json (2 MB for CLIP) too, so that
     * a folder converted to a single file and back has all its files again.
     */
    public Map<String, String> toMetadata() {
        Map<String, String> out = new TreeMap<>();
        files.forEach((k, v) -> out.put(METADATA_PREFIX + k, new String(v, StandardCharsets.UTF_8)));
        return out;
    }

    public boolean isEmpty() {
        return files.isEmpty();
    }

    public boolean has(String name) {
        return files.containsKey(name);
    }

    public PipelineFiles with(String name, String text) {
        Map<String, byte[]> merged = new TreeMap<>(files);
        merged.put(name, text.getBytes(StandardCharsets.UTF_8));
        return new PipelineFiles(merged);
    }

    /** Fails, naming {@code source} and every missing file, unless a pipeline can be built from these. */
    public void requireComplete(String source) {
        List<String> missing = new ArrayList<>(REQUIRED.stream().filter(n -> !files.containsKey(n)).toList());
        boolean vocabulary = hasVocabulary(TOKENIZER, missing);
        if (files.containsKey(TEXT_ENCODER_2_CONFIG)) {
            vocabulary &= hasVocabulary(TOKENIZER_2, missing);
        }
        if (!missing.isEmpty()) {
            throw new ModelLoadException(source + " lacks " + String.join(", ", missing)
                    + (vocabulary ? "" : " (the CLIP tokenizer's vocab.json and merges.txt, or its tokenizer.json; pass"
                            + " --config DIR, a diffusers folder of the same model family such as stable-diffusion-v1-5"
                            + " or stable-diffusion-2-1)"));
        }
    }

    /** Whether {@code tokenizer}/ has a vocabulary; if not, its missing files are added to {@code missing}. */
    private boolean hasVocabulary(String tokenizer, List<String> missing) {
        List<String> pair = VOCABULARY.stream().map(n -> tokenizer + "/" + n).toList();
        if (files.containsKey(tokenizer + "/" + TOKENIZER_JSON) || files.keySet().containsAll(pair)) {
            return true;
        }
        missing.addAll(pair.stream().filter(n -> !files.containsKey(n)).toList());
        return false;
    }

    public void writeTo(Path folder) throws IOException {
        for (Map.Entry<String, byte[]> e : files.entrySet()) {
            Path file = folder.resolve(e.getKey());
            Files.createDirectories(file.getParent());
            Files.write(file, e.getValue());
        }
    }

    /** The files written to a fresh temporary folder, for readers that take paths; delete it with {@link #delete}. */
    public Path materialise() throws IOException {
        Path dir = Files.createTempDirectory("sdspark-pipeline-");
        writeTo(dir);
        return dir;
    }

    public static void delete(Path dir) {
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete temporary folder " + dir, e);
        }
    }
}
