package org.sdspark.jobs;

import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import org.sdspark.jobs.bench.BenchCaptionCommand;
import org.sdspark.jobs.bench.BenchUnetCommand;
import org.sdspark.jobs.caption.CaptionCommand;
import org.sdspark.jobs.convert.ConvertCommand;
import org.sdspark.jobs.generate.GenerateCommand;
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
            new BenchPrepCommand(),
            new BenchDataCommand(),
            new CaptionCommand(),
            new GenerateCommand(),
            new BenchUnetCommand(),
            new BenchCaptionCommand(),
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
        Optional<Command> command = find(args);
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

    static String overview() {
        StringBuilder text = new StringBuilder("""
                sdspark: prepare image-caption datasets and fine-tune Stable Diffusion on Apache Spark

                usage: sdspark <command> [options]      (sdspark <command> --help for its options)

                commands:
                """);
        for (Command c : COMMANDS) {
            text.append(String.format("  %-14s %s%n", c.name(), c.summary()));
        }
        text.append("""

                Runs with embedded Spark (local[*]) unless launched by spark-submit:
                  spark-submit --class org.sdspark.jobs.Main sdspark-spark-jobs-<version>-all.jar prep --config prep.conf""");
        return text.toString();
    }

    private static boolean isHelp(String arg) {
        return arg.equals("--help") || arg.equals("-h") || arg.equals("help");
    }
}
