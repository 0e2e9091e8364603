package org.sdspark.model.pipeline;

import ai.djl.ndarray.NDManager;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Stream;
import org.sdspark.model.clip.ClipTextConfig;
import org.sdspark.model.clip.ClipTextModel;
import org.sdspark.model.nn.StateDict;
import org.sdspark.model.unet.UNet2DConditionModel;
import org.sdspark.model.unet.UNetConfig;
import org.sdspark.model.vae.AutoencoderKL;
import org.sdspark.model.vae.VaeConfig;

/** Pipeline folders and files the tests make: copies, random weights, files without sdspark's metadata. */
final class PipelineFolders {
    private PipelineFolders() {
    }

    static void copyTree(Path from, Path to) throws IOException {
        try (Stream<Path> walk = Files.walk(from)) {
            for (Path p : walk.toList()) {
                Path target = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(p, target, StandardCopyOption.REPLACE_EXISTING);
                }
            }
        }
    }

    /** Every file under {@code root} by its relative path, in sorted order, with its bytes. */
    static Map<String, byte[]> tree(Path root) throws IOException {
        Map<String, byte[]> out = new LinkedHashMap<>();
        try (Stream<Path> walk = Files.walk(root)) {
            for (Path p : walk.filter(Files::isRegularFile).sorted().toList()) {
                out.put(root.relativize(p).toString(), Files.readAllBytes(p));
            }
        }
        return out;
    }

    static void writeConfig(Path file, String json) throws IOException {
        Files.createDirectories(file.getParent());
        Files.writeString(file, json);
    }

    /**
     * Freshly initialised weights for the components whose config.json {@code folder} has (unet,
     * vae, text_encoder, and text_encoder_2 where there is one), saved as diffusers names them.
     */
    static void writeRandomWeights(NDManager m, Path folder) throws IOException {
        try (UNet2DConditionModel unet = UNet2DConditionModel.random(m, UNetConfig.read(folder.resolve("unet/config.json")));
             AutoencoderKL vae = AutoencoderKL.random(m, VaeConfig.read(folder.resolve("vae/config.json")))) {
            unet.stateDict().save(folder.resolve("unet/diffusion_pytorch_model.safetensors"), Map.of());
            vae.stateDict().save(folder.resolve("vae/diffusion_pytorch_model.safetensors"), Map.of());
        }
        for (String text : new String[] {"text_encoder", "text_encoder_2"}) {
            Path config = folder.resolve(text).resolve("config.json");
            if (Files.exists(config)) {
                try (ClipTextModel model = ClipTextModel.of(ClipTextConfig.load(config), StateDict.random(m, "random"))) {
                    model.weights().save(folder.resolve(text).resolve("model.safetensors"), Map.of());
                }
            }
        }
    }

    /** {@code pipeline} as one file without sdspark's metadata (no configs), as A1111 or diffusers' script write it. */
    static void saveWithoutMetadata(NDManager m, StableDiffusionPipeline pipeline, Path file) throws IOException {
        Path withConfigs = file.resolveSibling("with-configs.safetensors");
        pipeline.saveSingleFile(withConfigs);
        try (StateDict all = StateDict.load(m, withConfigs)) {
            StateDict.write(file, all.tensors(), Map.of());
        }
    }
}
