package org.sdspark.jobs;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import org.sdspark.jobs.bench.BenchCaptionCommand;
import org.sdspark.jobs.bench.BenchTrainCommand;
import org.sdspark.jobs.bench.BenchUnetCommand;
import org.sdspark.jobs.bench.BenchVaeCommand;
import org.sdspark.jobs.caption.CaptionCommand;
import org.sdspark.jobs.convert.ConvertCommand;
import org.sdspark.jobs.demo.TrainDemoCommand;
import org.sdspark.jobs.generate.GenerateCommand;
import org.sdspark.jobs.latents.CacheLatentsCommand;
import org.sdspark.jobs.prep.BenchPrepCommand;
import org.sdspark.jobs.prep.DemoCommand;
import org.sdspark.jobs.prep.PrepCommand;
import org.sdspark.jobs.train.TrainCommand;
import org.sdspark.jobs.train.data.BenchDataCommand;

/**
 * Entry point for `bin/sdspark` and for `spark-submit --class org.sdspark.jobs.Main`.
 * A new command is one more entry in {@link #COMMANDS}.
 */
public final class Main {

    static final List<Command> COMMANDS = List.of(
            new PrepCommand(),
            new DemoCommand(),
            new TrainDemoCommand(),
            new BenchPrepCommand(),
            new BenchDataCommand(),
            new CaptionCommand(),
            new CacheLatentsCommand(),
            new GenerateCommand(),
            new BenchUnetCommand(),
            new BenchCaptionCommand(),
            new BenchVaeCommand(),
            new BenchTrainCommand(),
            new ConvertCommand(),
            new TrainCommand(),
            new ConfigCommand());

    private Main() {
    }

    public static void main(String[] argv) {
        int code = run(Arrays.asList(argv));
        // Spark and DJL leave non-daemon threads behind; the exit code must still reach the shell.
        System.exit(code);
    }

    static int run(List<String> args) {
        if (args.isEmpty() || isHelp(args.get(0))) {
            System.out.println(overview());
            return args.isEmpty() ? 2 : 0;
        }
        if (args.get(0).equals("--version")) {
            System.out.println("sdspark " + version());
            return 0;
        }
        Optional<Command> command = find(args);
        List<Command> group = group(args.get(0));
        if (command.isEmpty() && !group.isEmpty() && (args.size() == 1 || isHelp(args.get(1)))) {
            System.out.println(commandList("sdspark " + args.get(0) + " <command> [options]", group));
            return args.size() == 1 ? 2 : 0;
        }
        if (command.isEmpty()) {
            System.err.println("sdspark: unknown command '" + String.join(" ", args) + "'\n");
            System.err.println(overview());
            return 2;
        }
        Command c = command.get();
        List<String> rest = args.subList(c.name().split(" ").length, args.size());
        if (rest.contains("--help") || rest.contains("-h")) {
            System.out.println(c.help());
            return 0;
        }
        try {
            return c.run(rest);
        } catch (UsageError e) {
            System.err.println("sdspark " + c.name() + ": " + e.getMessage());
            return 2;
        } catch (Exception e) {
            System.err.println("sdspark " + c.name() + " failed: " + e);
            e.printStackTrace(System.err);
            return 1;
        }
    }

    /** The command whose name matches the most leading words. */
    static Optional<Command> find(List<String> args) {
        return COMMANDS.stream()
                .filter(c -> {
                    List<String> words = List.of(c.name().split(" "));
                    return args.size() >= words.size() && args.subList(0, words.size()).equals(words);
                })
                .max(Comparator.comparingInt(c -> c.name().split(" ").length));
    }

    /** The commands whose name starts with {@code word} and has more words ("bench" for "bench prep", "bench unet"). */
    private static List<Command> group(String word) {
        return COMMANDS.stream().filter(c -> c.name().startsWith(word + " ")).toList();
    }

    static String overview() {
        StringBuilder text = new StringBuilder("sdspark: prepare image-caption datasets and fine-tune Stable Diffusion on Apache Spark\n\n");
        text.append(commandList("sdspark <command> [options]", COMMANDS)).append("\n");
        text.append("""

                sdspark --version prints the version.

                Runs with embedded Spark (local[*]) unless launched by spark-submit:
                  spark-submit --class org.sdspark.jobs.Main sdspark-spark-jobs-<version>-all.jar prep --config prep.conf""");
        return text.toString();
    }

    private static String commandList(String usage, List<Command> commands) {
        StringBuilder text = new StringBuilder("usage: " + usage + "      (sdspark <command> --help for its options)\n\ncommands:\n");
        for (Command c : commands) {
            text.append(String.format("  %-14s %s%n", c.name(), c.summary()));
        }
        return text.toString().stripTrailing();
    }

    // the project version, written into sdspark.version by the build
    private static String version() {
        try (InputStream in = Main.class.getResourceAsStream("/sdspark.version")) {
            return in == null ? "(unknown version)" : new String(in.readAllBytes(), StandardCharsets.UTF_8).strip();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static boolean isHelp(String arg) {
        return arg.equals("--help") || arg.equals("-h") || arg.equals("help");
    }
}
