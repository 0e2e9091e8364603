package org.sdspark.jobs.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.sdspark.jobs.Command;
import org.sdspark.jobs.Options;
import org.sdspark.jobs.UsageError;
import org.sdspark.model.bench.ReferenceBenchmark;
import org.sdspark.model.blip.BlipBenchmark;

/**
 * `sdspark bench caption`: BLIP captioning images/s on the device DJL finds, and with
 * {@code --reference} the same shapes through transformers in the same run, with the ratio.
 */
public final class BenchCaptionCommand implements Command {
    private static final Set<String> OPTIONS = Set.of("--model", "--batch", "--beams", "--new-tokens", "--warmup", "--steps",
            "--reference", "--python");

    @Override
    public String name() {
        return "bench caption";
    }

    @Override
    public String summary() {
        return "time BLIP captioning (images/s, peak memory), optionally next to transformers";
    }

    @Override
    public String help() {
        return """
                usage: sdspark bench caption [--model DIR] [--batch N] [--fp16] [--beams B] [--new-tokens T]
                                             [--warmup W] [--steps S] [--reference SCRIPT] [--python EXE]

                Times generate from pixel values (vision encoder + every decoding step) on the device
                DJL finds (a GPU where present, else the CPU); every caption is exactly T tokens.
                Prints one JSON line: images_per_second, seconds_per_batch, peak memory.

                  --model DIR        a BLIP folder (default: random weights, blip-image-captioning-base shapes)
                  --batch N          images per generate call (default 64)
                  --fp16             float16 weights and activations (default float32)
                  --beams B          1 = greedy (default 1)
                  --new-tokens T     caption length in tokens (default 20)
                  --warmup W         untimed calls first (default 5)
                  --steps S          timed calls (default 20)
                  --reference SCRIPT also run transformers with the same settings through SCRIPT
                                     (model/src/test/python/bench_blip_generate.py) and print both
                                     and sdspark / transformers images/s
                  --python EXE       interpreter for --reference (default python3)
                """;
    }

    @Override
    public int run(List<String> args) throws Exception {
        Options o = Options.parse(args, OPTIONS, Set.of("--fp16"));
        BlipBenchmark.Settings settings;
        try {
            settings = new BlipBenchmark.Settings(o.value("--model").map(Path::of).orElse(null), o.intValue("--batch", 64),
                    o.flag("--fp16"), o.intValue("--beams", 1), o.intValue("--new-tokens", 20), o.intValue("--warmup", 5, 0),
                    o.intValue("--steps", 20));
        } catch (IllegalArgumentException e) {
            throw new UsageError(e.getMessage());
        }
        if (settings.model() != null && !Files.isDirectory(settings.model())) {
            throw new UsageError("--model " + settings.model() + " is not a folder");
        }
        ObjectMapper json = new ObjectMapper();
        JsonNode ours = json.readTree(BlipBenchmark.run(settings).toJson());
        if (o.value("--reference").isEmpty()) {
            System.out.println(ours);
            return 0;
        }
        JsonNode theirs = reference(o.value("--python").orElse("python3"), o.value("--reference").get(), settings);
        ObjectNode both = json.createObjectNode();
        both.set("sdspark", ours);
        both.set("transformers", theirs);
        both.put("ratio_images_per_second", ours.get("images_per_second").asDouble() / theirs.get("images_per_second").asDouble());
        System.out.println(both);
        return 0;
    }

    private static JsonNode reference(String python, String script, BlipBenchmark.Settings s) {
        List<String> arguments = new ArrayList<>(List.of("--batch", "" + s.batch(), "--beams", "" + s.beams(),
                "--new-tokens", "" + s.newTokens(), "--warmup", "" + s.warmup(), "--steps", "" + s.steps()));
        if (s.fp16()) {
            arguments.add("--fp16");
        }
        if (s.model() != null) {
            arguments.addAll(List.of("--model", s.model().toString()));
        }
        return ReferenceBenchmark.run(python, Path.of(script), arguments, JsonNode.class);
    }
}
