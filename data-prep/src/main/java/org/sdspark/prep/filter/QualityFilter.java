package org.sdspark.prep.filter;

import java.io.IOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Optional;
import org.sdspark.prep.FilterSettings;
import org.sdspark.prep.image.ImageDecoder;
import org.sdspark.prep.image.ImageFormat;
import org.sdspark.prep.image.ImageProbe;
import org.sdspark.prep.image.LumaImage;
import org.sdspark.prep.image.ProbeResult;
import org.sdspark.prep.image.Truncation;

/**
 * Judges one file. Checks run in this order and the first failure is reported: zero bytes,
 * unknown signature, header probe (decompression bomb before any pixel is decoded), truncated or
 * corrupt container, decode, minimum side, bytes per pixel, aspect ratio, caption. The file is
 * decoded once, to the luminance thumbnail that the perceptual hash needs
 * ({@link ImageDecoder#luma}); sizes are those of the image turned upright by its EXIF orientation.
 */
public final class QualityFilter {
    private final FilterSettings settings;

    public QualityFilter(FilterSettings settings) {
        this.settings = settings;
    }

    public Verdict inspect(String source, byte[] bytes, String caption, boolean requireCaption) {
        if (bytes.length == 0) return reject(source, Reason.ZERO_BYTES, "file is empty");
        Optional<ImageFormat> format = ImageFormat.sniff(bytes);
        if (format.isEmpty()) {
            return reject(source, Reason.NOT_AN_IMAGE, "unrecognised signature " + leadingHex(bytes));
        }
        ProbeResult probe;
        try {
            probe = ImageProbe.probe(bytes);
        } catch (IOException e) {
            return unreadable(source, format.get(), bytes, "header: " + describe(e));
        }
        int w = probe.width();
        int h = probe.height();
        if (probe.pixels() > settings.maxPixels()) {
            return reject(source, Reason.DECOMPRESSION_BOMB,
                    w + "x" + h + " = " + probe.pixels() + " pixels, max-pixels " + settings.maxPixels());
        }
        Optional<Truncation.Damage> damage = Truncation.check(format.get(), bytes);
        if (damage.isPresent()) return reject(source, damage.get());
        LumaImage image;
        try {
            image = ImageDecoder.luma(bytes, probe);
        } catch (IOException e) {
            return unreadable(source, format.get(), bytes, describe(e));
        }
        if (Math.min(w, h) < settings.minSide()) {
            return reject(source, Reason.TOO_SMALL, w + "x" + h + ", min-side " + settings.minSide());
        }
        double bytesPerPixel = (double) bytes.length / probe.pixels();
        if (bytesPerPixel < settings.minBytesPerPixel()) {
            return reject(source, Reason.LOW_BYTES_PER_PIXEL, String.format(Locale.ROOT,
                    "%dx%d in %d bytes = %.3f bytes/pixel, min-bytes-per-pixel %s",
                    w, h, bytes.length, bytesPerPixel, settings.minBytesPerPixel()));
        }
        double aspect = (double) Math.max(w, h) / Math.min(w, h);
        if (aspect > settings.maxAspect()) {
            return reject(source, Reason.EXTREME_ASPECT, String.format(Locale.ROOT,
                    "%dx%d, aspect %.2f, max-aspect %s", w, h, aspect, settings.maxAspect()));
        }
        if (requireCaption && (caption == null || caption.isBlank())) {
            return reject(source, Reason.MISSING_CAPTION, "no caption from metadata, sidecar, kohya folder or instance prompt");
        }
        return new Verdict.Accepted(new ImageFacts(probe.format(), w, h, bytes.length, sha256(bytes),
                PerceptualHash.of(image)));
    }

    public static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
    }

    /** A read failure is truncated or corrupt when the container shows it, undecodable with the decoder's words otherwise. */
    private static Verdict unreadable(String source, ImageFormat format, byte[] bytes, String problem) {
        return Truncation.explainsFailure(format, bytes)
                .map(d -> reject(source, d))
                .orElseGet(() -> reject(source, Reason.UNDECODABLE, format.code() + " " + problem));
    }

    /** A file cut short is truncated; one whose container is broken inside is undecodable. */
    private static Verdict reject(String source, Truncation.Damage damage) {
        return reject(source, damage.corrupt() ? Reason.UNDECODABLE : Reason.TRUNCATED, damage.detail());
    }

    /** Exception text for a report; some decoders throw without a message. */
    private static String describe(Exception e) {
        return e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
    }

    private static Verdict reject(String source, Reason reason, String detail) {
        return new Verdict.Rejected(new Rejection(source, reason, detail));
    }

    private static String leadingHex(byte[] bytes) {
        int n = Math.min(8, bytes.length);
        return "0x" + HexFormat.of().formatHex(bytes, 0, n);
    }
}
