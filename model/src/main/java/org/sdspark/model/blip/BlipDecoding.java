package org.sdspark.model.blip;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.util.Arrays;
import org.sdspark.model.generation.TokenScorer;

/**
 * One generation's decoder state over rows of image embeddings: the key/value cache, the 2-D
 * attention mask and the last position of each row. Scores are the last position's logits in
 * float32, or their log-softmax (what beam search adds up).
 */
final class BlipDecoding implements TokenScorer, AutoCloseable {
    private final BlipForConditionalGeneration model;
    private final NDManager manager;
    private final DecoderCache cache;
    private final boolean logProbs;
    private int[][] keyMask;
    private long[] lastPosition;

    BlipDecoding(BlipForConditionalGeneration model, NDArray imageEmbeds, boolean logProbs) {
        this.model = model;
        this.manager = imageEmbeds.getManager().newSubManager();
        this.cache = new DecoderCache(manager, model.layers(), imageEmbeds);
        this.logProbs = logProbs;
    }

    @Override
    public float[][] prefill(long[][] ids, int[][] mask) {
        int rows = ids.length;
        int length = ids[0].length;
        keyMask = mask.clone();
        long[][] positions = DecoderInputs.promptPositions(mask);
        lastPosition = new long[rows];
        for (int r = 0; r < rows; r++) {
            lastPosition[r] = positions[r][length - 1];
        }
        return step(flatten(ids), flatten(positions), rows, length);
    }

    @Override
    public float[][] next(long[] tokens) {
        long[] positions = new long[tokens.length];
        for (int r = 0; r < tokens.length; r++) {
            keyMask[r] = Arrays.copyOf(keyMask[r], keyMask[r].length + 1);
            keyMask[r][keyMask[r].length - 1] = 1;
            positions[r] = ++lastPosition[r];
        }
        return step(tokens, positions, tokens.length, 1);
    }

    @Override
    public void reorder(long[] rows) {
        cache.reorder(rows);
        int[][] mask = new int[rows.length][];
        long[] last = new long[rows.length];
        for (int r = 0; r < rows.length; r++) {
            mask[r] = keyMask[(int) rows[r]];
            last[r] = lastPosition[(int) rows[r]];
        }
        keyMask = mask;
        lastPosition = last;
    }

    private float[][] step(long[] ids, long[] positions, int rows, int length) {
        try (NDManager scope = manager.newSubManager()) {
            int keys = keyMask[0].length;
            NDArray mask = scope.create(DecoderInputs.causalMask(keyMask, keys, length), new Shape(rows, 1, length, keys));
            NDArray logits = model.decode(scope.create(ids, new Shape(rows, length)),
                    scope.create(positions, new Shape(rows, length)), mask, cache, true)
                    .reshape(rows, -1).toType(DataType.FLOAT32, false);
            float[] flat = (logProbs ? logits.logSoftmax(-1) : logits).toFloatArray();
            int vocab = flat.length / rows;
            float[][] scores = new float[rows][];
            for (int r = 0; r < rows; r++) {
                scores[r] = Arrays.copyOfRange(flat, r * vocab, (r + 1) * vocab);
            }
            return scores;
        }
    }

    private static long[] flatten(long[][] rows) {
        return Arrays.stream(rows).flatMapToLong(Arrays::stream).toArray();
    }

    @Override
    public void close() {
        manager.close();
    }
}
