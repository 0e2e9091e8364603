package org.sdspark.model.blip;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.sdspark.model.bert.BertTokenizer;
import org.sdspark.model.generation.GenerationSettings;

/**
 * Captions images with a BLIP model folder as transformers' processor + {@code generate} +
 * {@code decode(skip_special_tokens=True)} would: one prompt (or none) for the whole batch, the
 * prompt kept at the start of each caption. Thread-safe: each call works in its own scope.
 */
public final class BlipCaptioner implements AutoCloseable {
    private final NDManager manager;
    private final BlipForConditionalGeneration model;
    private final BlipImageProcessor processor;
    private final BertTokenizer tokenizer;

    private BlipCaptioner(NDManager manager, BlipForConditionalGeneration model, BlipImageProcessor processor,
                          BertTokenizer tokenizer) {
        this.manager = manager;
        this.model = model;
        this.processor = processor;
        this.tokenizer = tokenizer;
    }

    /** Loads model, image processor and tokenizer from {@code folder} onto {@code device}. */
    public static BlipCaptioner load(Path folder, Device device, DataType type) throws IOException {
        BlipImageProcessor processor = BlipImageProcessor.load(folder);
        BertTokenizer tokenizer = BertTokenizer.load(folder);
        NDManager manager = NDManager.newBaseManager(device);
        try {
            return new BlipCaptioner(manager, BlipForConditionalGeneration.load(manager, folder, type), processor, tokenizer);
        } catch (IOException | RuntimeException e) {
            manager.close();
            throw e;
        }
    }

    /** Pixel values of one image, ready for {@link #caption(List, String, GenerationSettings)}. */
    public float[] preprocess(BufferedImage image) {
        return processor.preprocess(image);
    }

    /**
     * Captions of preprocessed images; {@code prompt} (e.g. "a photography of") starts every
     * caption, or is empty for unconditional captions.
     */
    public List<String> caption(List<float[]> pixels, String prompt, GenerationSettings settings) {
        if (pixels.isEmpty()) {
            return List.of();
        }
        long[][] promptIds = null;
        int[][] promptMask = null;
        if (!prompt.isEmpty()) {
            BertTokenizer.Batch batch = tokenizer.encode(Collections.nCopies(pixels.size(), prompt));
            promptIds = batch.ids();
            promptMask = batch.mask();
        }
        try (NDManager scope = manager.newSubManager()) {
            NDArray batch = processor.batch(scope, pixels);
            long[][] ids = model.generate(batch, promptIds, promptMask, settings);
            List<String> captions = new ArrayList<>(ids.length);
            for (long[] row : ids) {
                captions.add(tokenizer.decode(row, true));
            }
            return captions;
        }
    }

    @Override
    public void close() {
        model.close();
        manager.close();
    }
}
