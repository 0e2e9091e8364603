package org.sdspark.prep.image;

import java.util.Optional;

/**
 * Detects files cut short, and JPEGs whose structure is broken. ImageIO and libjpeg often decode
 * a truncated JPEG without an error (the missing rows come out grey), so completeness is judged
 * from the container: a JPEG must reach its end-of-image marker ({@link JpegStructure}), a PNG
 * its IEND chunk, a BMP or WebP the size its header declares. A GIF is only judged after its
 * decoding failed ({@link #explainsFailure}): trailing bytes after a GIF's trailer are common, so
 * a missing trailer alone does not condemn a decodable file.
 */
public final class Truncation {
    private Truncation() {}

    /** What is wrong with a container: cut short ({@code corrupt} false) or broken inside. */
    public record Damage(boolean corrupt, String detail) {
        static Damage cut(String detail) {
            return new Damage(false, detail);
        }
    }

    /** How the file is damaged, or empty when it is complete or not checkable. */
    public static Optional<Damage> check(ImageFormat format, byte[] bytes) {
        return switch (format) {
            case JPEG -> jpeg(bytes);
            case PNG -> pngComplete(bytes) ? Optional.empty() : Optional.of(Damage.cut("png ends before its IEND chunk"));
            case BMP -> shorterThanDeclared(bytes, 2, 0, "bmp");
            case WEBP -> shorterThanDeclared(bytes, 4, 8, "webp");
            case GIF -> Optional.empty();
        };
    }

    /** Why a file that failed to decode is damaged rather than merely undecodable, if its container says so. */
    public static Optional<Damage> explainsFailure(ImageFormat format, byte[] bytes) {
        if (format == ImageFormat.GIF && bytes[bytes.length - 1] != 0x3B) return Optional.of(Damage.cut("gif ends before its trailer"));
        return check(format, bytes);
    }

    private static Optional<Damage> jpeg(byte[] bytes) {
        JpegStructure.Integrity i = JpegStructure.integrity(bytes);
        return switch (i.ending()) {
            case COMPLETE -> Optional.empty();
            case CUT -> Optional.of(Damage.cut(i.detail()));
            case CORRUPT -> Optional.of(new Damage(true, i.detail()));
        };
    }

    /** BMP (file size at offset 2) and WebP (RIFF size at offset 4, plus 8) declare their length, little-endian. */
    private static Optional<Damage> shorterThanDeclared(byte[] b, int offset, int extra, String format) {
        if (b.length < offset + 4) return Optional.of(Damage.cut(format + " header is cut"));
        long declared = (b[offset] & 0xFFL) | ((b[offset + 1] & 0xFFL) << 8) | ((b[offset + 2] & 0xFFL) << 16)
                | ((b[offset + 3] & 0xFFL) << 24);
        // a BMP writer may leave the size field 0
        if (declared == 0 || declared + extra <= b.length) return Optional.empty();
        return Optional.of(Damage.cut(format + " is " + b.length + " bytes, its header declares " + (declared + extra)));
    }

    static boolean pngComplete(byte[] b) {
        long pos = 8;
        while (pos + 8 <= b.length) {
            int p = (int) pos;
            long length = ((b[p] & 0xFFL) << 24) | ((b[p + 1] & 0xFF) << 16) | ((b[p + 2] & 0xFF) << 8) | (b[p + 3] & 0xFF);
            boolean iend = b[p + 4] == 'I' && b[p + 5] == 'E' && b[p + 6] == 'N' && b[p + 7] == 'D';
            long end = pos + 12 + length;
            if (end > b.length) return false;
            if (iend) return true;
            pos = end;
        }
        return false;
    }
}
