package org.sdspark.model.clip;

import java.nio.charset.StandardCharsets;

/**
 * GPT-2/CLIP's reversible map from UTF-8 bytes to printable characters: BPE then works on strings
 * that contain no whitespace or control characters, and every byte has a symbol, so no text is
 * ever unknown.
 */
final class ByteSymbols {
    private static final char[] SYMBOL = symbols();

    private ByteSymbols() {
    }

    // Printable Latin-1 bytes stand for themselves; the others take code points from 256 upwards, in byte order.
    private static char[] symbols() {
        char[] symbol = new char[256];
        int next = 256;
        for (int b = 0; b < 256; b++) {
            boolean printable = (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
            symbol[b] = (char) (printable ? b : next++);
        }
        return symbol;
    }

    static char of(int unsignedByte) {
        return SYMBOL[unsignedByte];
    }

    /** The UTF-8 bytes of {@code text}, one symbol per byte. */
    static String encode(String text) {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        StringBuilder out = new StringBuilder(bytes.length);
        for (byte b : bytes) {
            out.append(SYMBOL[b & 0xff]);
        }
        return out.toString();
    }
}
