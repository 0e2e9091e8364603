package org.sdspark.jobs;

import com.typesafe.config.Config;
import java.util.List;
import java.util.Set;
import org.sdspark.jobs.config.ConfigLoader;

/** `--config FILE` and `--set key=value`, shared by the commands that read configuration. */
public final class CommonOptions {

    public static final Set<String> NAMES = Set.of("--config", "--set");

    public static final String HELP = """
              --config FILE        HOCON file with your settings (keys under sdspark.*): a local
                                   path or a Hadoop URI (s3a://, hdfs://); every default is in
                                   the reference configuration (see README.md)
              --set KEY=VALUE      override one key, e.g. --set sdspark.prep.partitions=8;
                                   may be repeated; wins over the file
            """;

    private CommonOptions() {
    }

    public static Config load(Options options) {
        return ConfigLoader.loadFrom(options.value("--config"), options.all("--set"));
    }

    /** The configuration of {@code sdspark <command> args}, which must name a file or set keys. */
    public static Config loadRequired(List<String> args, String command) {
        Options options = Options.parse(args, NAMES);
        if (options.value("--config").isEmpty() && options.all("--set").isEmpty()) {
            throw new UsageError("needs --config FILE (or --set keys); see sdspark " + command + " --help");
        }
        return load(options);
    }
}
