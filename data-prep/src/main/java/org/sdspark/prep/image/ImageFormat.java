package org.sdspark.prep.image;

import java.util.Locale;
import java.util.Optional;

/** Formats recognised by their leading bytes (magic numbers), regardless of the file name. */
public enum ImageFormat {
    JPEG, PNG, GIF, BMP, WEBP;

    public String code() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The format whose signature {@code bytes} starts with, if any. */
    public static Optional<ImageFormat> sniff(byte[] b) {
        if (startsWith(b, 0, 0xFF, 0xD8, 0xFF)) return Optional.of(JPEG);
        if (startsWith(b, 0, 0x89, 'P', 'N', 'G', 0x0D, 0x0A, 0x1A, 0x0A)) return Optional.of(PNG);
        if (startsWith(b, 0, 'G', 'I', 'F', '8') && b.length > 5 && b[5] == 'a') return Optional.of(GIF);
        if (startsWith(b, 0, 'B', 'M') && b.length >= 26) return Optional.of(BMP);
        if (startsWith(b, 0, 'R', 'I', 'F', 'F') && startsWith(b, 8, 'W', 'E', 'B', 'P')) return Optional.of(WEBP);
        return Optional.empty();
    }

    private static boolean startsWith(byte[] b, int offset, int... signature) {
        if (b.length < offset + signature.length) return false;
        for (int i = 0; i < signature.length; i++) {
            if ((b[offset + i] & 0xFF) != signature[i]) return false;
        }
        return true;
    }
}
