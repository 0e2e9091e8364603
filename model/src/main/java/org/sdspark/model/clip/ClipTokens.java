package org.sdspark.model.clip;

import java.util.Arrays;

/**
 * One text as CLIP token ids padded to the tokenizer's length, with the attention mask (1 for the
 * start token, the text's tokens and the end token, 0 for padding).
 */
public record ClipTokens(int[] ids, int[] attentionMask) {

    public ClipTokens {
        if (ids.length != attentionMask.length) {
            throw new IllegalArgumentException("ids and attention mask differ in length: " + ids.length + " vs " + attentionMask.length);
        }
        ids = ids.clone();
        attentionMask = attentionMask.clone();
    }

    @Override
    public int[] ids() {
        return ids.clone();
    }

    @Override
    public int[] attentionMask() {
        return attentionMask.clone();
    }

    /** The ids as int64, the type text encoders take. */
    public long[] longIds() {
        return Arrays.stream(ids).asLongStream().toArray();
    }

    /** Tokens that are not padding. */
    public int length() {
        return Arrays.stream(attentionMask).sum();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ClipTokens t && Arrays.equals(ids, t.ids) && Arrays.equals(attentionMask, t.attentionMask);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(ids) + Arrays.hashCode(attentionMask);
    }

    @Override
    public String toString() {
        return "ClipTokens" + Arrays.toString(Arrays.copyOf(ids, length()));
    }
}
