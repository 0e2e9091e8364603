package org.sdspark.prep.source;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.sdspark.prep.IngestSettings;
import org.sdspark.prep.InputFormat;
import org.sdspark.prep.InputSpec;
import org.sdspark.prep.filter.Reason;
import org.sdspark.prep.filter.Rejection;

/**
 * Turns the file list of one input tree into images with captions, and reports every other file.
 *
 * <p>Hadoop/Spark bookkeeping ({@code _SUCCESS}, {@code _metadata}, {@code _common_metadata},
 * {@code *.crc}, anything under {@code _temporary/}) is skipped: it is written by the committer
 * that produced the data, not data itself.
 *
 * <p>Other files are classified by name: hidden files (any path segment starting with '.') and files
 * that are neither images ({@code jpg jpeg png webp bmp gif}), caption sidecars, metadata files
 * nor Parquet are rejected as {@code not_an_image}; caption files with no image of the same stem
 * are rejected too, so nothing disappears without a trace.
 *
 * <p>Format {@code auto} is decided in this order: Parquet files and no images -> parquet (read by
 * the Spark side; no images here); a top-level folder named {@code N_concept} -> kohya; an
 * instance prompt with no metadata and no sidecars -> dreambooth; otherwise folder.
 *
 * <p>Each image's caption comes from the first source that has a non-blank one: metadata row
 * ({@code metadata.jsonl}/{@code metadata.csv} of any folder, names relative to that folder), sidecar
 * ({@code stem + caption-extension}, in configured order), kohya concept, instance prompt. A
 * dreambooth input gives every image the instance prompt and reads no metadata or sidecars.
 * Metadata rows naming files that are not in the tree are rejected as {@code missing_file};
 * malformed rows fail the plan with an {@link InvalidSourceException} naming file and line.
 *
 * <p>Concepts: the kohya concept in kohya folders, else the top-level folder, else "".
 */
public final class FolderLayout {
    private static final Set<String> IMAGE_EXTENSIONS = Set.of(".jpg", ".jpeg", ".png", ".webp", ".bmp", ".gif");
    // Images people keep beside their photos that no decoder here reads: said so, not called "not an image".
    private static final Set<String> UNSUPPORTED_IMAGE_EXTENSIONS =
            Set.of(".tif", ".tiff", ".svg", ".ico", ".heic", ".heif", ".avif", ".jxl", ".psd", ".raw", ".cr2", ".nef");
    private static final Pattern KOHYA_FOLDER = Pattern.compile("^(\\d+)_(.+)$");
    private static final String PARQUET = ".parquet";
    private static final Set<String> BOOKKEEPING_NAMES = Set.of("_SUCCESS", "_metadata", "_common_metadata");

    private FolderLayout() {}

    public static LayoutPlan plan(List<SourceFile> files, SourceReader reader, InputSpec spec, IngestSettings s)
            throws IOException {
        Classified c = classify(files, s.captionExtensions());
        List<Rejection> rejections = new ArrayList<>(c.rejections());
        InputFormat format = spec.format() == InputFormat.AUTO ? detect(c, spec) : spec.format();
        if (format == InputFormat.PARQUET) {
            for (String p : c.images()) rejections.add(notAnImage(p, "image file in a parquet input"));
            for (String p : c.metadata()) rejections.add(notAnImage(p, "metadata file in a parquet input"));
            for (String p : c.captionFiles().keySet()) rejections.add(notAnImage(p, "caption file in a parquet input"));
            return finish(List.of(), rejections, format, c.parquet());
        }
        for (String p : c.parquet()) rejections.add(notAnImage(p, "parquet file in an image-folder input; set format = parquet"));

        Map<String, MetadataRow> rows = format == InputFormat.DREAMBOOTH
                ? Map.of()
                : readMetadata(c.metadata(), reader, spec.captionColumn());
        Set<String> present = new HashSet<>();
        for (SourceFile f : files) present.add(f.path());
        for (MetadataRow row : rows.values()) {
            if (!present.contains(row.path())) {
                rejections.add(new Rejection(row.path(), Reason.MISSING_FILE, "named by " + row.origin() + " but not in the input"));
            }
        }
        Map<String, List<String>> sidecars = sidecarsByStem(c, rejections);

        List<ImageEntry> entries = new ArrayList<>();
        for (String p : c.images()) {
            entries.add(format == InputFormat.DREAMBOOTH
                    ? new ImageEntry(p, spec.instancePrompt(), CaptionSource.INSTANCE_PROMPT, 1, concept(p, null))
                    : caption(p, rows.get(p), sidecars.getOrDefault(Paths.stem(p), List.of()),
                            format == InputFormat.KOHYA ? kohya(p) : null, reader, spec, s));
        }
        return finish(entries, rejections, format, List.of());
    }

    /**
     * The files of a tree sorted into kinds; {@code captionFiles} maps each caption file to its
     * stem; {@code unsupportedImages} (already among the rejections) may own caption files too.
     */
    private record Classified(List<String> images, List<String> metadata, Map<String, String> captionFiles,
                              List<String> parquet, List<String> unsupportedImages, List<Rejection> rejections) {}

    private static Classified classify(List<SourceFile> files, List<String> captionExtensionList) {
        Set<String> captionExtensions = new HashSet<>();
        for (String e : captionExtensionList) captionExtensions.add(e.toLowerCase(Locale.ROOT));
        List<SourceFile> sorted = new ArrayList<>(files);
        sorted.sort(Comparator.comparing(SourceFile::path));
        var c = new Classified(new ArrayList<>(), new ArrayList<>(), new TreeMap<>(), new ArrayList<>(), new ArrayList<>(),
                new ArrayList<>());
        for (SourceFile f : sorted) {
            String path = f.path();
            String ext = Paths.extension(path);
            if (isBookkeeping(path)) continue;
            if (Paths.isHidden(path)) c.rejections().add(notAnImage(path, "hidden file"));
            else if (MetadataFile.isMetadata(Paths.fileName(path))) c.metadata().add(path);
            else if (IMAGE_EXTENSIONS.contains(ext)) c.images().add(path);
            else if (captionExtensions.contains(ext)) c.captionFiles().put(path, Paths.stem(path));
            else if (ext.equals(PARQUET)) c.parquet().add(path);
            else if (UNSUPPORTED_IMAGE_EXTENSIONS.contains(ext)) {
                c.unsupportedImages().add(path);
                c.rejections().add(notAnImage(path, "unsupported image format " + ext + " (JPEG, PNG, WebP, BMP and GIF are read)"));
            } else c.rejections().add(notAnImage(path, "not an image, caption or metadata file"));
        }
        return c;
    }

    /**
     * Caption files grouped by the image stem they belong to. The caption of an unsupported image
     * goes with that image's rejection, as the caption of an accepted image goes with it: one
     * photo, one row. Other orphans are rejected.
     */
    private static Map<String, List<String>> sidecarsByStem(Classified c, List<Rejection> rejections) {
        Set<String> imageStems = new HashSet<>();
        for (String p : c.images()) imageStems.add(Paths.stem(p));
        Set<String> unsupportedStems = new HashSet<>();
        for (String p : c.unsupportedImages()) unsupportedStems.add(Paths.stem(p));
        Map<String, List<String>> byStem = new HashMap<>();
        for (var e : c.captionFiles().entrySet()) {
            if (imageStems.contains(e.getValue())) byStem.computeIfAbsent(e.getValue(), k -> new ArrayList<>()).add(e.getKey());
            else if (!unsupportedStems.contains(e.getValue())) {
                rejections.add(notAnImage(e.getKey(), "caption file without an image of the same name"));
            }
        }
        return byStem;
    }

    private static InputFormat detect(Classified c, InputSpec spec) {
        if (c.images().isEmpty() && !c.parquet().isEmpty()) return InputFormat.PARQUET;
        for (String p : c.images()) {
            String top = Paths.topFolder(p);
            if (top != null && KOHYA_FOLDER.matcher(top).matches()) return InputFormat.KOHYA;
        }
        if (!spec.instancePrompt().isBlank() && c.metadata().isEmpty() && c.captionFiles().isEmpty()) {
            return InputFormat.DREAMBOOTH;
        }
        return InputFormat.FOLDER;
    }

    private static Map<String, MetadataRow> readMetadata(List<String> files, SourceReader reader, String captionColumn)
            throws IOException {
        Map<String, MetadataRow> byPath = new HashMap<>();
        for (String file : files) {
            for (MetadataRow row : MetadataFile.parse(file, reader.read(file), captionColumn)) {
                MetadataRow earlier = byPath.putIfAbsent(row.path(), row);
                if (earlier != null) {
                    throw new InvalidSourceException(row.origin() + ": " + row.path() + " is already described by " + earlier.origin());
                }
            }
        }
        return byPath;
    }

    private record Kohya(int repeats, String concept) {}

    private static Kohya kohya(String path) throws InvalidSourceException {
        String top = Paths.topFolder(path);
        if (top == null) return null;
        Matcher m = KOHYA_FOLDER.matcher(top);
        if (!m.matches()) return null;
        int repeats;
        try {
            repeats = Integer.parseInt(m.group(1));
        } catch (NumberFormatException e) {
            repeats = 0;
        }
        if (repeats < 1) throw new InvalidSourceException(top + ": kohya folder repeats must be between 1 and " + Integer.MAX_VALUE);
        return new Kohya(repeats, m.group(2));
    }

    private static ImageEntry caption(String path, MetadataRow row, List<String> sidecars, Kohya kohya,
                                      SourceReader reader, InputSpec spec, IngestSettings s) throws IOException {
        int repeats = kohya == null ? 1 : kohya.repeats();
        String concept = concept(path, kohya);
        if (row != null && row.caption() != null && !row.caption().isBlank()) {
            return new ImageEntry(path, row.caption().strip(), row.source(), repeats, concept);
        }
        for (String ext : s.captionExtensions()) {
            for (String sidecar : sidecars) {
                if (!Paths.extension(sidecar).equals(ext.toLowerCase(Locale.ROOT))) continue;
                String text = readText(reader, sidecar);
                if (!text.isBlank()) return new ImageEntry(path, text, CaptionSource.SIDECAR, repeats, concept);
            }
        }
        if (kohya != null) return new ImageEntry(path, kohya.concept(), CaptionSource.KOHYA_FOLDER, repeats, concept);
        if (!spec.instancePrompt().isBlank()) {
            return new ImageEntry(path, spec.instancePrompt(), CaptionSource.INSTANCE_PROMPT, repeats, concept);
        }
        return new ImageEntry(path, null, CaptionSource.NONE, repeats, concept);
    }

    private static String concept(String path, Kohya kohya) {
        if (kohya != null) return kohya.concept();
        String top = Paths.topFolder(path);
        return top == null ? "" : top;
    }

    private static String readText(SourceReader reader, String path) throws IOException {
        String text = new String(reader.read(path), StandardCharsets.UTF_8);
        if (text.startsWith("\uFEFF")) text = text.substring(1);
        return text.strip();
    }

    private static Rejection notAnImage(String path, String detail) {
        return new Rejection(path, Reason.NOT_AN_IMAGE, detail);
    }

    /** Files a Hadoop output committer leaves beside the data; neither images nor rejections. */
    public static boolean isBookkeeping(String path) {
        String name = Paths.fileName(path);
        return BOOKKEEPING_NAMES.contains(name) || name.endsWith(".crc") || ("/" + path).contains("/_temporary/");
    }

    private static LayoutPlan finish(List<ImageEntry> images, List<Rejection> rejections, InputFormat format,
                                     List<String> parquetFiles) {
        List<Rejection> sortedRejections = new ArrayList<>(rejections);
        sortedRejections.sort(Comparator.comparing(Rejection::source));
        return new LayoutPlan(images, sortedRejections, format.code(), parquetFiles);
    }
}
