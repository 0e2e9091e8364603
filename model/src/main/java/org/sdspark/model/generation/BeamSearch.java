package org.sdspark.model.generation;

import java.util.Arrays;

/**
 * transformers' (vectorised, 4.50+) beam search, step for step, so the same scores give the same
 * sequences: per prompt, the 2 x beams best continuations of all beams; of those, the best
 * {@code beams} that did not end run on, and any of the first {@code beams} that ended join the
 * finished hypotheses (scored sum(log p) / generated length ^ lengthPenalty) if they beat the
 * worst kept one. It stops when every continuation hits the end token or the length limit, or
 * when no running beam can beat the finished ones any more (transformers' early_stopping=False
 * heuristic). Scores are float32 throughout, as in PyTorch.
 */
public final class BeamSearch {
    // transformers marks impossible candidates by adding -1e9 rather than -inf.
    private static final float EXCLUDED = -1.0e9f;

    private final int beams;
    private final int prompts;
    private final int promptLength;
    private final int maxLength;
    private final int endToken;
    private final long fill;
    private final float lengthPenalty;
    private final LogitsProcessors processors;

    private final long[][][] running;
    private final float[][] runningScores;
    private final long[][][] finished;
    private final float[][] finishedScores;
    private final int[][] finishedLength;
    private final boolean[][] finishedFlags;
    private final boolean[] improvable;

    private BeamSearch(long[][] promptIds, GenerationSettings settings, int endToken, int padToken) {
        this.beams = settings.numBeams();
        this.prompts = promptIds.length;
        this.promptLength = promptIds[0].length;
        this.maxLength = settings.maxLengthFor(promptLength);
        this.endToken = endToken;
        // transformers fills with `pad_token_id or eos_token_id`: a pad id of 0 is falsy in Python.
        this.fill = padToken != 0 ? padToken : endToken;
        this.lengthPenalty = (float) settings.lengthPenalty();
        this.processors = new LogitsProcessors(settings, endToken);
        running = new long[prompts][beams][];
        runningScores = new float[prompts][beams];
        finished = new long[prompts][beams][];
        finishedScores = new float[prompts][beams];
        finishedLength = new int[prompts][beams];
        finishedFlags = new boolean[prompts][beams];
        improvable = new boolean[prompts];
        for (int b = 0; b < prompts; b++) {
            for (int k = 0; k < beams; k++) {
                long[] sequence = new long[maxLength];
                Arrays.fill(sequence, fill);
                System.arraycopy(promptIds[b], 0, sequence, 0, promptLength);
                running[b][k] = sequence;
                finished[b][k] = sequence.clone();
                // Only the first beam starts live, so the first step does not pick the same token beams times.
                runningScores[b][k] = k == 0 ? 0f : EXCLUDED;
                finishedScores[b][k] = EXCLUDED;
            }
            improvable[b] = true;
        }
    }

    /**
     * The best finished sequence per prompt, prompt included, all cut to the longest and padded as
     * transformers pads them. {@code scorer} must give log-probabilities, one row per beam
     * (prompt-major: rows b*beams .. b*beams+beams-1 belong to prompt b).
     */
    public static long[][] generate(TokenScorer scorer, long[][] promptIds, int[][] mask, GenerationSettings settings,
                                    int endToken, int padToken) {
        BeamSearch search = new BeamSearch(promptIds, settings, endToken, padToken);
        int beams = settings.numBeams();
        long[][] rows = new long[promptIds.length * beams][];
        int[][] rowMask = new int[rows.length][];
        for (int r = 0; r < rows.length; r++) {
            rows[r] = promptIds[r / beams];
            rowMask[r] = mask[r / beams];
        }
        return search.run(scorer, scorer.prefill(rows, rowMask));
    }

    private long[][] run(TokenScorer scorer, float[][] logProbs) {
        int length = promptLength;
        while (true) {
            boolean allHit = true;
            long[] sources = new long[prompts * beams];
            for (int b = 0; b < prompts; b++) {
                allHit &= step(b, logProbs, length, sources);
            }
            length++;
            boolean anyImprovable = false;
            for (int b = 0; b < prompts; b++) {
                anyImprovable |= updateImprovable(b, length);
            }
            if (!anyImprovable || allHit) {
                break;
            }
            scorer.reorder(sources);
            long[] tokens = new long[prompts * beams];
            for (int b = 0; b < prompts; b++) {
                for (int k = 0; k < beams; k++) {
                    tokens[b * beams + k] = running[b][k][length - 1];
                }
            }
            logProbs = scorer.next(tokens);
        }
        return output();
    }

    /** One step for prompt {@code b}; returns whether all its candidates hit a stopping criterion. */
    private boolean step(int b, float[][] logProbs, int length, long[] sources) {
        int vocab = logProbs[0].length;
        float[] accumulated = new float[beams * vocab];
        for (int k = 0; k < beams; k++) {
            float[] scores = logProbs[b * beams + k];
            processors.apply(running[b][k], length, scores);
            for (int v = 0; v < vocab; v++) {
                accumulated[k * vocab + v] = scores[v] + runningScores[b][k];
            }
        }
        int keep = 2 * beams;
        int[] top = topK(accumulated, keep);
        long[][] candidates = new long[keep][];
        float[] candidateScores = new float[keep];
        int[] candidateBeam = new int[keep];
        boolean[] hits = new boolean[keep];
        boolean allHit = true;
        for (int j = 0; j < keep; j++) {
            candidateBeam[j] = top[j] / vocab;
            int token = top[j] % vocab;
            candidates[j] = running[b][candidateBeam[j]].clone();
            candidates[j][length] = token;
            candidateScores[j] = accumulated[top[j]];
            hits[j] = token == endToken || length + 1 >= maxLength;
            allHit &= hits[j];
        }

        float[] live = new float[keep];
        for (int j = 0; j < keep; j++) {
            live[j] = hits[j] ? candidateScores[j] + EXCLUDED : candidateScores[j];
        }
        int[] next = topK(live, beams);
        for (int k = 0; k < beams; k++) {
            running[b][k] = candidates[next[k]];
            runningScores[b][k] = live[next[k]];
            sources[b * beams + k] = (long) b * beams + candidateBeam[next[k]];
        }

        float penalty = (float) Math.pow(length + 1 - promptLength, lengthPenalty);
        float[] merged = new float[beams + keep];
        boolean[] mergedFlags = new boolean[beams + keep];
        for (int k = 0; k < beams; k++) {
            merged[k] = finishedScores[b][k];
            mergedFlags[k] = finishedFlags[b][k];
        }
        for (int j = 0; j < keep; j++) {
            boolean justFinished = hits[j] && j < beams;
            float score = candidateScores[j] / penalty;
            if (!improvable[b]) {
                score += EXCLUDED;
            }
            if (!justFinished) {
                score += EXCLUDED;
            }
            merged[beams + j] = score;
            mergedFlags[beams + j] = justFinished;
        }
        int[] best = topK(merged, beams);
        long[][] sequences = new long[beams][];
        int[] lengths = new int[beams];
        for (int k = 0; k < beams; k++) {
            int m = best[k];
            sequences[k] = m < beams ? finished[b][m] : candidates[m - beams];
            lengths[k] = m < beams ? finishedLength[b][m] : length + 1 - promptLength;
            finishedScores[b][k] = merged[m];
            finishedFlags[b][k] = mergedFlags[m];
        }
        finished[b] = sequences;
        finishedLength[b] = lengths;
        return allHit;
    }

    /** transformers' heuristic: can the best running beam still beat the worst finished one? */
    private boolean updateImprovable(int b, int length) {
        float bestPossible = runningScores[b][0] / (float) Math.pow(length - promptLength, lengthPenalty);
        float worstFinished = Float.POSITIVE_INFINITY;
        for (float s : finishedScores[b]) {
            worstFinished = Math.min(worstFinished, s);
        }
        boolean any = false;
        for (int k = 0; k < beams; k++) {
            any |= bestPossible > (finishedFlags[b][k] ? worstFinished : EXCLUDED);
        }
        improvable[b] &= any;
        return improvable[b];
    }

    private long[][] output() {
        int generated = 0;
        for (int b = 0; b < prompts; b++) {
            generated = Math.max(generated, finishedLength[b][0]);
        }
        long[][] out = new long[prompts][];
        for (int b = 0; b < prompts; b++) {
            out[b] = Arrays.copyOf(finished[b][0], promptLength + generated);
        }
        return out;
    }

    /** Indices of the k largest values, largest first; equal values in index order. */
    static int[] topK(float[] values, int k) {
        int[] top = new int[k];
        int filled = 0;
        for (int i = 0; i < values.length; i++) {
            float v = values[i];
            if (filled == k && !(v > values[top[k - 1]])) {
                continue;
            }
            int at = Math.min(filled, k - 1);
            while (at > 0 && v > values[top[at - 1]]) {
                top[at] = top[at - 1];
                at--;
            }
            top[at] = i;
            filled = Math.min(filled + 1, k);
        }
        return top;
    }
}
