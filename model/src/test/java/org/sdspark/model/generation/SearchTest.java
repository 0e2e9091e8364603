package org.sdspark.model.generation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The searches' bookkeeping on hand-made score tables (the parity cases run them on a real model). */
class SearchTest {
    private static final int END = 3;
    private static final int PAD = 0;

    /** Scores each row from its last token: {@code table[last token]}, whatever the row. */
    private static final class TableScorer implements TokenScorer {
        final float[][] table;
        final List<long[]> reorders = new ArrayList<>();
        long[] last;

        TableScorer(float[][] table) {
            this.table = table;
        }

        @Override
        public float[][] prefill(long[][] ids, int[][] mask) {
            last = new long[ids.length];
            for (int r = 0; r < ids.length; r++) {
                last[r] = ids[r][ids[r].length - 1];
            }
            return scores();
        }

        @Override
        public float[][] next(long[] tokens) {
            last = tokens.clone();
            return scores();
        }

        @Override
        public void reorder(long[] rows) {
            reorders.add(rows.clone());
        }

        private float[][] scores() {
            float[][] out = new float[last.length][];
            for (int r = 0; r < last.length; r++) {
                out[r] = table[(int) last[r]].clone();
            }
            return out;
        }
    }

    @Test
    void greedyPadsRowsThatEndedUntilAllEnd() {
        // token 1 -> 2, 2 -> END, 4 -> 4 (never ends)
        float[][] table = {{0, 0, 0, 0, 0}, {0, 0, 9, 0, 0}, {0, 0, 0, 9, 0}, {0, 0, 0, 0, 0}, {0, 0, 0, 0, 9}};
        long[][] out = GreedySearch.generate(new TableScorer(table), new long[][] {{1}, {4}}, new int[][] {{1}, {1}},
                new GenerationSettings(1, 4, 0, 0, 1.0, 1.0), END, PAD);
        assertThat(out).isDeepEqualTo(new long[][] {{1, 2, 3, PAD, PAD}, {4, 4, 4, 4, 4}});
    }

    @Test
    void minimumLengthForbidsTheEndAndThePenaltyAppliesOncePerToken() {
        float[][] table = {{0, 0, 0, 0, 0}, {0, 1, 0.9f, 5, 0}, {0, 0, 0, 0, 0}, {0, 0, 0, 0, 0}, {0, 0, 0, 0, 0}};
        LogitsProcessors processors = new LogitsProcessors(new GenerationSettings(1, 4, 0, 3, 2.0, 1.0), END);
        float[] scores = {-1, 1, 0.9f, 5, 0};
        processors.apply(new long[] {1, 1, 0}, 2, scores);
        assertThat(scores).containsExactly(-1, 0.5f, 0.9f, Float.NEGATIVE_INFINITY, 0);
        long[][] out = GreedySearch.generate(new TableScorer(table), new long[][] {{1}}, new int[][] {{1}},
                new GenerationSettings(1, 5, 0, 3, 1.0, 1.0), END, PAD);
        assertThat(out[0]).startsWith(1, 1, 1, 3);
    }

    @Test
    void beamSearchKeepsTheBestFinishedHypothesisAndFollowsItsBeams() {
        // From 1: END is likely, 2 a little less; from 2: END almost surely. Lengths penalise nothing (penalty 0).
        float ln = (float) Math.log(0.6);
        float[][] table = {
            {-9, -9, -9, -9, -9}, {-9, -9, (float) Math.log(0.39), ln, -9}, {-9, -9, -9, 0, -9},
            {-9, -9, -9, -9, -9}, {-9, -9, -9, -9, -9}};
        TableScorer scorer = new TableScorer(table);
        long[][] out = BeamSearch.generate(scorer, new long[][] {{1}}, new int[][] {{1}},
                new GenerationSettings(2, 5, 0, 0, 1.0, 0.0), END, PAD);
        assertThat(out[0]).containsExactly(1, 3);
        assertThat(scorer.reorders.get(0)).containsExactly(0, 0);
    }

    @Test
    void beamOutputIsCutToTheLongestBestAndFilledWithTheEndWhenThePadIsZero() {
        float[][] table = {{-9, -9, -9, -9, -9}, {-9, -9, -1, -2, -9}, {-9, -9, -9, 0, -9}, {-9, -9, -9, -9, -9},
            {-9, -9, -9, -0.1f, -9}};
        long[][] out = BeamSearch.generate(new TableScorer(table), new long[][] {{1}, {4}}, new int[][] {{1}, {1}},
                new GenerationSettings(2, 5, 0, 0, 1.0, 1.0), END, PAD);
        assertThat(out).isDeepEqualTo(new long[][] {{1, 2, 3}, {4, 3, 3}});
    }

    @Test
    void topKIsOrderedWithTiesInIndexOrder() {
        assertThat(BeamSearch.topK(new float[] {1, 5, 5, Float.NEGATIVE_INFINITY, 7, 1}, 4)).containsExactly(4, 1, 2, 0);
        assertThat(BeamSearch.topK(new float[] {Float.NEGATIVE_INFINITY, Float.NEGATIVE_INFINITY}, 2)).containsExactly(0, 1);
    }

    @Test
    void settingsAreValidated() {
        assertThat(GenerationSettings.defaults().maxLengthFor(4)).isEqualTo(24);
        assertThat(new GenerationSettings(1, 0, 16, 0, 1, 1).maxLengthFor(4)).isEqualTo(16);
        assertThatThrownBy(() -> new GenerationSettings(1, 0, 3, 0, 1, 1).maxLengthFor(4)).hasMessageContaining("no room");
        assertThatThrownBy(() -> new GenerationSettings(0, 20, 0, 0, 1, 1)).hasMessageContaining("beams");
        assertThatThrownBy(() -> new GenerationSettings(1, 20, 0, 0, 0, 1)).hasMessageContaining("repetition");
    }
}
