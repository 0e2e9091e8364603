package org.sdspark.jobs.train;

import ai.djl.ndarray.NDManager;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.sdspark.jobs.train.config.LoraSettings;
import org.sdspark.jobs.train.config.TextualInversionSettings;
import org.sdspark.model.embedding.EmbeddingLayout;
import org.sdspark.model.embedding.TextualInversion;
import org.sdspark.model.embedding.TextualInversionFile;
import org.sdspark.model.lora.LoraFile;
import org.sdspark.model.lora.LoraLayout;
import org.sdspark.model.train.TrainingRun;

/**
 * What a finished run leaves in its output, by method: a full fine-tune's pipeline as a diffusers
 * folder ({@code model/}) and one original-layout file ({@code model.safetensors}), and with EMA
 * the same of the EMA weights ({@code model-ema/}, {@code model-ema.safetensors}); a LoRA in the
 * PEFT/diffusers layout ({@code lora/pytorch_lora_weights.safetensors}, what
 * {@code load_lora_weights} reads) and the kohya/A1111 one ({@code lora.safetensors}); a textual
 * inversion embedding as diffusers' {@code learned_embeds.safetensors} and A1111's
 * {@code <token>.safetensors}. Written to a local scratch folder, then copied to the output's file
 * system (local, hdfs, s3a).
 */
final class TrainExports {
    static final String PEFT_FILE = "pytorch_lora_weights.safetensors";

    private TrainExports() {
    }

    /** Writes the exports of {@code config}'s method; returns their names under the output. */
    static List<String> write(TrainingRun run, TrainConfig config, Configuration conf) throws IOException {
        Path scratch = Files.createTempDirectory("sdspark-export-");
        try {
            if (config.method().fullWeights()) {
                models(run, config, scratch, "model");
                if (run.trainer().update().ema() != null) {
                    run.useEmaWeights();
                    models(run, config, scratch, "model-ema");
                }
            }
            if (config.lora().isPresent()) {
                lora(run, config.lora().get(), scratch);
            }
            if (config.textualInversion().isPresent()) {
                embedding(run, config.textualInversion().get(), scratch);
            }
            return publish(scratch, config.output(), conf);
        } finally {
            delete(scratch);
        }
    }

    private static void models(TrainingRun run, TrainConfig config, Path scratch, String name) throws IOException {
        if (config.export().diffusers()) {
            run.models().pipeline().saveDiffusers(scratch.resolve(name));
        }
        if (config.export().singleFile()) {
            run.models().pipeline().saveSingleFile(scratch.resolve(name + ".safetensors"));
        }
    }

    private static void lora(TrainingRun run, LoraSettings lora, Path scratch) throws IOException {
        for (LoraLayout layout : lora.layouts()) {
            Path file = layout == LoraLayout.PEFT ? scratch.resolve("lora").resolve(PEFT_FILE) : scratch.resolve("lora.safetensors");
            Files.createDirectories(file.getParent());
            LoraFile.write(file, run.models().lora(), layout);
        }
    }

    private static void embedding(TrainingRun run, TextualInversionSettings ti, Path scratch) throws IOException {
        try (NDManager manager = NDManager.newBaseManager()) {
            TextualInversion embedding = run.models().learnedEmbedding(manager, ti.placeholderToken());
            for (EmbeddingLayout layout : ti.layouts()) {
                if (layout == EmbeddingLayout.DIFFUSERS) {
                    TextualInversionFile.writeDiffusers(scratch.resolve("learned_embeds.safetensors"), embedding);
                } else {
                    TextualInversionFile.writeA1111(scratch.resolve(a1111Name(ti.placeholderToken()) + ".safetensors"), embedding);
                }
            }
        }
    }

    /** A1111 takes an embedding's token from its file name: the placeholder without its brackets. */
    static String a1111Name(String token) {
        String name = token.replaceAll("[^A-Za-z0-9_-]", "");
        return name.isEmpty() ? "embedding" : name;
    }

    private static List<String> publish(Path scratch, String output, Configuration conf) throws IOException {
        List<String> names = new ArrayList<>();
        try (Stream<Path> entries = Files.list(scratch)) {
            for (Path entry : entries.sorted().toList()) {
                org.apache.hadoop.fs.Path target = new org.apache.hadoop.fs.Path(output, entry.getFileName().toString());
                FileSystem fs = target.getFileSystem(conf);
                fs.delete(target, true);
                fs.copyFromLocalFile(false, true, new org.apache.hadoop.fs.Path(entry.toUri()), target);
                names.add(entry.getFileName().toString());
            }
        }
        return names;
    }

    private static void delete(Path dir) throws IOException {
        try (Stream<Path> all = Files.walk(dir)) {
            for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
