package org.sdspark.model.bert;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Greedy longest-match-first WordPiece: a word becomes the longest vocabulary prefix, then the
 * longest {@code ##}-prefixed continuations; a word that cannot be covered, or is longer than
 * {@code maxInputCharsPerWord} characters, becomes the unknown token.
 */
record WordPiece(Map<String, Integer> vocab, String unkToken, String continuingSubwordPrefix, int maxInputCharsPerWord) {

    WordPiece {
        vocab = Map.copyOf(vocab);
        if (!vocab.containsKey(unkToken)) {
            throw new IllegalArgumentException("the unknown token " + unkToken + " is not in the vocabulary");
        }
    }

    void tokenize(String word, List<Integer> ids) {
        int[] chars = word.codePoints().toArray();
        if (chars.length > maxInputCharsPerWord) {
            ids.add(vocab.get(unkToken));
            return;
        }
        List<Integer> pieces = new ArrayList<>();
        int start = 0;
        while (start < chars.length) {
            Integer found = null;
            int end = chars.length;
            for (; end > start; end--) {
                String piece = new String(chars, start, end - start);
                found = vocab.get(start > 0 ? continuingSubwordPrefix + piece : piece);
                if (found != null) {
                    break;
                }
            }
            if (found == null) {
                ids.add(vocab.get(unkToken));
                return;
            }
            pieces.add(found);
            start = end;
        }
        ids.addAll(pieces);
    }
}
