package org.sdspark.prep.image;

import java.util.Optional;

/**
 * Detects files cut short. ImageIO often decodes a truncated JPEG without an exception (the
 * missing rows come out grey), so completeness is judged from the container: a JPEG must reach
 * its end-of-image marker, a PNG its IEND chunk, a BMP or WebP the size its header declares.
 * A GIF is only judged after its decoding failed ({@link #explainsFailure}): trailing bytes after
 * a GIF's trailer are common, so a missing trailer alone does not condemn a decodable file.
 */
public final class Truncation {
    private Truncation() {}

    /** A description of how the file ends early, or empty when it is complete or not checkable. */
    public static Optional<String> check(ImageFormat format, byte[] bytes) {
        return switch (format) {
            case JPEG -> jpegComplete(bytes) ? Optional.empty() : Optional.of("jpeg ends before its end-of-image marker");
            case PNG -> pngComplete(bytes) ? Optional.empty() : Optional.of("png ends before its IEND chunk");
            case BMP -> shorterThanDeclared(bytes, 2, 0, "bmp");
            case WEBP -> shorterThanDeclared(bytes, 4, 8, "webp");
            case GIF -> Optional.empty();
        };
    }

    /** Why a file that failed to decode is truncated rather than corrupt, if its container says so. */
    public static Optional<String> explainsFailure(ImageFormat format, byte[] bytes) {
        if (format == ImageFormat.GIF && bytes[bytes.length - 1] != 0x3B) return Optional.of("gif ends before its trailer");
        return check(format, bytes);
    }

    /** BMP (file size at offset 2) and WebP (RIFF size at offset 4, plus 8) declare their length, little-endian. */
    private static Optional<String> shorterThanDeclared(byte[] b, int offset, int extra, String format) {
        if (b.length < offset + 4) return Optional.of(format + " header is cut");
        long declared = (b[offset] & 0xFFL) | ((b[offset + 1] & 0xFFL) << 8) | ((b[offset + 2] & 0xFFL) << 16)
                | ((b[offset + 3] & 0xFFL) << 24);
        // a BMP writer may leave the size field 0
        if (declared == 0 || declared + extra <= b.length) return Optional.empty();
        return Optional.of(format + " is " + b.length + " bytes, its header declares " + (declared + extra));
    }

    /**
     * Walks the marker segments (skipping their payloads, so an EXIF thumbnail's EOI is not
     * mistaken for the image's) and scans entropy-coded data, where 0xFF is always stuffed
     * with 0x00 or followed by a restart marker, for the real EOI.
     */
    static boolean jpegComplete(byte[] b) {
        int n = b.length;
        int pos = 2;
        while (pos < n) {
            if ((b[pos] & 0xFF) != 0xFF) return false;
            while (pos < n && (b[pos] & 0xFF) == 0xFF) pos++;
            if (pos >= n) return false;
            int marker = b[pos++] & 0xFF;
            if (marker == 0xD9) return true;
            if (marker == 0x01 || (marker >= 0xD0 && marker <= 0xD8)) continue;
            if (pos + 2 > n) return false;
            int length = ((b[pos] & 0xFF) << 8) | (b[pos + 1] & 0xFF);
            if (length < 2 || pos + length > n) return false;
            pos += length;
            if (marker == 0xDA) {
                pos = nextMarkerAfterScan(b, pos);
                if (pos < 0) return false;
            }
        }
        return false;
    }

    /** Position of the 0xFF that starts the first non-restart marker after entropy data, or -1. */
    private static int nextMarkerAfterScan(byte[] b, int pos) {
        for (int i = pos; i + 1 < b.length; i++) {
            if ((b[i] & 0xFF) != 0xFF) continue;
            int next = b[i + 1] & 0xFF;
            if (next == 0x00 || next == 0xFF || (next >= 0xD0 && next <= 0xD7)) continue;
            return i;
        }
        return -1;
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
