package org.sdspark.model.clip;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Byte-pair encoding of one word by CLIP's rules: the word's last symbol carries the end-of-word
 * mark {@code </w>}, and the adjacent pair of lowest merge rank is merged everywhere (left to
 * right, without overlap) until no pair has a rank. Results are cached per word.
 */
final class BpeMerges {
    static final String END_OF_WORD = "</w>";
    // Caption datasets repeat words endlessly, but an unbounded cache would grow with every typo.
    private static final int CACHE_LIMIT = 100_000;

    private final Map<String, Integer> ranks;
    private final Map<String, List<String>> cache = new ConcurrentHashMap<>();

    private BpeMerges(Map<String, Integer> ranks) {
        this.ranks = ranks;
    }

    /** Merges in priority order, each "left right" as in merges.txt. */
    static BpeMerges of(List<String> merges) {
        Map<String, Integer> ranks = new HashMap<>();
        for (int i = 0; i < merges.size(); i++) {
            String[] pair = merges.get(i).split(" ");
            if (pair.length != 2) {
                throw new IllegalArgumentException("merge " + (i + 1) + " is not a pair of symbols: '" + merges.get(i) + "'");
            }
            ranks.putIfAbsent(pairKey(pair[0], pair[1]), i);
        }
        return new BpeMerges(ranks);
    }

    int size() {
        return ranks.size();
    }

    /** The BPE symbols of a byte-encoded word. */
    List<String> encode(String word) {
        List<String> cached = cache.get(word);
        if (cached != null) {
            return cached;
        }
        List<String> symbols = merge(initialSymbols(word));
        if (cache.size() >= CACHE_LIMIT) {
            cache.clear();
        }
        cache.put(word, symbols);
        return symbols;
    }

    private static List<String> initialSymbols(String word) {
        List<String> symbols = new ArrayList<>(word.length());
        word.codePoints().forEach(cp -> symbols.add(Character.toString(cp)));
        int last = symbols.size() - 1;
        symbols.set(last, symbols.get(last) + END_OF_WORD);
        return symbols;
    }

    private List<String> merge(List<String> symbols) {
        while (symbols.size() > 1) {
            int best = bestPair(symbols);
            if (best < 0) {
                break;
            }
            symbols = mergeAll(symbols, symbols.get(best), symbols.get(best + 1));
        }
        return List.copyOf(symbols);
    }

    /** Index of the first pair with the lowest rank, or -1 when no pair can merge. */
    private int bestPair(List<String> symbols) {
        int best = -1;
        int bestRank = Integer.MAX_VALUE;
        for (int i = 0; i + 1 < symbols.size(); i++) {
            Integer rank = ranks.get(pairKey(symbols.get(i), symbols.get(i + 1)));
            if (rank != null && rank < bestRank) {
                bestRank = rank;
                best = i;
            }
        }
        return best;
    }

    private static List<String> mergeAll(List<String> symbols, String left, String right) {
        List<String> merged = new ArrayList<>(symbols.size());
        int i = 0;
        while (i < symbols.size()) {
            if (i + 1 < symbols.size() && symbols.get(i).equals(left) && symbols.get(i + 1).equals(right)) {
                merged.add(left + right);
                i += 2;
            } else {
                merged.add(symbols.get(i));
                i++;
            }
        }
        return merged;
    }

    // Byte symbols are never spaces, so a space separates the pair unambiguously.
    private static String pairKey(String left, String right) {
        return left + ' ' + right;
    }
}
