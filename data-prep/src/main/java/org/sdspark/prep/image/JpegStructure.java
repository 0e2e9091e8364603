package org.sdspark.prep.image;

import java.util.Locale;

/**
 * Walks a JPEG's marker segments without decoding pixels: the frame size and EXIF orientation
 * from the header, and whether the file is whole. Segment payloads are skipped by their declared
 * length (so an EXIF thumbnail's markers are never mistaken for the image's), and entropy-coded
 * data, where every 0xFF is stuffed with 0x00 or followed by a restart marker, is scanned for the
 * marker that ends it.
 *
 * <p>A file that runs out before its end-of-image marker is cut short. One whose structure breaks
 * before its end is corrupt: a byte where a marker must start, a marker that cannot follow scan
 * data (random bytes written over a scan produce these), or a segment running past an end that
 * still carries the end-of-image marker (a cut file does not end with one).
 */
public final class JpegStructure {
    private static final int SOI_LENGTH = 2;

    public enum Ending { COMPLETE, CUT, CORRUPT }

    /** Frame size and orientation; width and height are -1 when no frame header was reached. */
    public record Header(int width, int height, int orientation) {}

    /** How the walk ended, with what broke for {@link Ending#CUT} and {@link Ending#CORRUPT}. */
    public record Integrity(Ending ending, String detail) {}

    private final byte[] b;
    private int width = -1;
    private int height = -1;
    private int orientation = ExifOrientation.NORMAL;

    private JpegStructure(byte[] bytes) {
        this.b = bytes;
    }

    /** The header facts, reading only up to the frame header. */
    public static Header header(byte[] bytes) {
        JpegStructure s = new JpegStructure(bytes);
        s.walk(true);
        return new Header(s.width, s.height, s.orientation);
    }

    /** Walks the whole file. */
    public static Integrity integrity(byte[] bytes) {
        return new JpegStructure(bytes).walk(false);
    }

    /** The walk's outcome; null when {@code headerOnly} and the frame header was read. */
    private Integrity walk(boolean headerOnly) {
        int n = b.length;
        int pos = SOI_LENGTH;
        while (pos < n) {
            if ((b[pos] & 0xFF) != 0xFF) {
                return corrupt(String.format(Locale.ROOT, "byte 0x%02X at offset %d where a marker must start", b[pos] & 0xFF, pos));
            }
            while (pos < n && (b[pos] & 0xFF) == 0xFF) pos++;
            if (pos >= n) return cut();
            int markerAt = pos - 1;
            int marker = b[pos++] & 0xFF;
            if (marker == 0xD9) return new Integrity(Ending.COMPLETE, "");
            if (marker == 0x01 || (marker >= 0xD0 && marker <= 0xD8)) continue;
            if (pos + 2 > n) return cut();
            int length = u16(pos);
            if (length < 2) return corrupt(String.format(Locale.ROOT, "marker 0xFF%02X at offset %d declares length %d", marker, markerAt, length));
            if (pos + length > n) {
                return endsWithEndOfImage()
                        ? corrupt(String.format(Locale.ROOT, "marker 0xFF%02X at offset %d declares %d bytes, past the end-of-image marker",
                                marker, markerAt, length))
                        : cut();
            }
            read(marker, pos + 2, pos + length);
            if (headerOnly && width >= 0) return null;
            pos += length;
            if (marker == 0xDA) {
                pos = endOfScan(pos);
                if (pos < 0) return cut();
                int next = b[pos + 1] & 0xFF;
                if (!canFollowScan(next)) {
                    return corrupt(String.format(Locale.ROOT, "marker 0xFF%02X at offset %d inside the scan data", next, pos));
                }
            }
        }
        return cut();
    }

    private void read(int marker, int start, int end) {
        if (isFrameHeader(marker) && end - start >= 5) {
            height = u16(start + 1);
            width = u16(start + 3);
        } else if (marker == 0xE1 && orientation == ExifOrientation.NORMAL) {
            orientation = ExifOrientation.fromApp1(b, start, end);
        }
    }

    /** SOF0..SOF15 except DHT (C4), JPG (C8) and DAC (CC). */
    private static boolean isFrameHeader(int marker) {
        return marker >= 0xC0 && marker <= 0xCF && marker != 0xC4 && marker != 0xC8 && marker != 0xCC;
    }

    /** Markers libjpeg accepts between scans or at the end: tables, frame headers, APPn, COM, DNL, EOI. */
    private static boolean canFollowScan(int marker) {
        return (marker >= 0xC0 && marker <= 0xCF) || (marker >= 0xD9 && marker <= 0xDF)
                || (marker >= 0xE0 && marker <= 0xEF) || marker == 0xFE;
    }

    /** Position of the 0xFF that starts the first non-restart marker after entropy data, or -1. */
    private int endOfScan(int pos) {
        for (int i = pos; i + 1 < b.length; i++) {
            if ((b[i] & 0xFF) != 0xFF) continue;
            int next = b[i + 1] & 0xFF;
            if (next == 0x00 || next == 0xFF || (next >= 0xD0 && next <= 0xD7)) continue;
            return i;
        }
        return -1;
    }

    private boolean endsWithEndOfImage() {
        int n = b.length;
        return n >= 4 && (b[n - 2] & 0xFF) == 0xFF && (b[n - 1] & 0xFF) == 0xD9;
    }

    private Integrity cut() {
        return new Integrity(Ending.CUT, "jpeg ends before its end-of-image marker");
    }

    private static Integrity corrupt(String what) {
        return new Integrity(Ending.CORRUPT, "jpeg data is corrupt: " + what);
    }

    private int u16(int at) {
        return ((b[at] & 0xFF) << 8) | (b[at + 1] & 0xFF);
    }
}
