package org.sdspark.jobs.prep;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.sdspark.prep.PrepSettings;

/**
 * Runs {@code pillow_reference.py} (a resource next to this class): the per-image work of prep
 * written as a plain Python/Pillow script, on the same files, with {@code cores} processes.
 */
final class PillowReference {

    private static final ObjectMapper JSON = new ObjectMapper();
    private final String python;
    private final Path work;

    PillowReference(String python, Path work) {
        this.python = python;
        this.work = work;
    }

    /** Why the reference cannot run (no such interpreter, no Pillow or numpy), or empty. */
    Optional<String> unavailable() {
        try {
            Process p = new ProcessBuilder(python, "-c", "import PIL, numpy").redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return Optional.of(python + " did not answer within 60 s");
            }
            return p.exitValue() == 0 ? Optional.empty() : Optional.of(python + " cannot import Pillow and numpy: " + out);
        } catch (IOException e) {
            return Optional.of("cannot run " + python + ": " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.of("interrupted");
        }
    }

    BenchOutcome run(List<Path> images, PrepSettings settings, int cores, int warmup, boolean draft)
            throws IOException, InterruptedException {
        Path script = work.resolve("pillow_reference.py");
        try (InputStream in = PillowReference.class.getResourceAsStream("pillow_reference.py")) {
            Files.write(script, in.readAllBytes());
        }
        Path results = work.resolve(draft ? "pillow-draft.jsonl" : "pillow.jsonl");
        Path listing = work.resolve("files.txt");
        Files.write(listing, images.stream().map(Path::toString).toList());
        List<String> command = new ArrayList<>(List.of(python, script.toString(), "--settings", settingsJson(settings),
                "--out", results.toString(), "--processes", Integer.toString(cores), "--warmup", Integer.toString(warmup),
                "--files-from", listing.toString()));
        if (draft) command.add("--draft");
        Process p = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        if (p.waitFor() != 0) throw new IOException("the Pillow reference failed (exit " + p.exitValue() + "): " + out);
        JsonNode timing = JSON.readTree(out.substring(out.lastIndexOf('\n') + 1));
        Map<String, BenchOutcome.Verdict> verdicts = new LinkedHashMap<>();
        for (String line : Files.readAllLines(results)) {
            JsonNode r = JSON.readTree(line);
            JsonNode bucket = r.get("bucket");
            verdicts.put(r.get("source").asText(), new BenchOutcome.Verdict(
                    r.get("reason").isNull() ? null : r.get("reason").asText(), r.path("width").asInt(),
                    r.path("height").asInt(), r.path("phash").asLong(),
                    bucket == null ? null : bucket.get(0).asInt() + "x" + bucket.get(1).asInt()));
        }
        return new BenchOutcome("pillow " + timing.get("pillow").asText() + (draft ? " (draft)" : ""),
                timing.get("images").asInt(), timing.get("seconds").asDouble(), cores,
                timing.get("peak_rss_mb").asDouble(), verdicts);
    }

    private static String settingsJson(PrepSettings s) {
        var node = JSON.createObjectNode();
        node.put("min_side", s.filter().minSide());
        node.put("min_bytes_per_pixel", s.filter().minBytesPerPixel());
        node.put("max_aspect", s.filter().maxAspect());
        node.put("max_pixels", s.filter().maxPixels());
        node.put("require_caption", s.ingest().requireCaption());
        s.ingest().captionExtensions().forEach(node.putArray("caption_extensions")::add);
        node.put("resolution", s.bucket().resolution());
        node.put("bucket_min_side", s.bucket().minSide());
        node.put("bucket_max_side", s.bucket().maxSide());
        node.put("step", s.bucket().step());
        return node.toString();
    }
}
