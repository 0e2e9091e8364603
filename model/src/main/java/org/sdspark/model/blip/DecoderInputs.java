package org.sdspark.model.blip;

/**
 * Positions and attention masks of the text decoder while generating, as transformers' generate
 * derives them from the 2-D attention mask: a prompt token's position is the number of real
 * tokens before it (padding gets 0), a new token's is the previous last position plus one, and a
 * token attends to the real tokens at or before it.
 */
final class DecoderInputs {
    private DecoderInputs() {
    }

    static long[][] promptPositions(int[][] mask) {
        long[][] positions = new long[mask.length][];
        for (int r = 0; r < mask.length; r++) {
            positions[r] = new long[mask[r].length];
            long seen = 0;
            for (int i = 0; i < mask[r].length; i++) {
                seen += mask[r][i];
                positions[r][i] = mask[r][i] == 0 ? 0 : seen - 1;
            }
        }
        return positions;
    }

    /**
     * Additive (rows, 1, queries, keys) mask, row-major, for the last {@code queries} of
     * {@code keys} tokens: 0 where attention is allowed, the float32 minimum elsewhere
     * (transformers' eager masks use the dtype's minimum rather than -inf).
     */
    static float[] causalMask(int[][] keyMask, int keys, int queries) {
        float[] mask = new float[keyMask.length * queries * keys];
        int at = 0;
        for (int[] row : keyMask) {
            for (int q = 0; q < queries; q++) {
                int position = keys - queries + q;
                for (int k = 0; k < keys; k++) {
                    mask[at++] = k <= position && row[k] != 0 ? 0f : -Float.MAX_VALUE;
                }
            }
        }
        return mask;
    }
}
