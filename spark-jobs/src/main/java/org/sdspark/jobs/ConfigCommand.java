package org.sdspark.jobs;

import java.util.List;
import org.sdspark.jobs.config.Secrets;

/** Prints the effective configuration, so users can see what a run would use. */
public final class ConfigCommand implements Command {

    @Override
    public String name() {
        return "config";
    }

    @Override
    public String summary() {
        return "print the effective configuration (defaults + file + --set), credentials masked";
    }

    @Override
    public String help() {
        return """
                usage: sdspark config [--config FILE] [--set KEY=VALUE ...]

                Loads the configuration exactly as a job would (checking for unknown keys) and
                prints the sdspark block. Credentials are shown as ****.

                options:
                """ + CommonOptions.HELP;
    }

    @Override
    public int run(List<String> args) {
        Options options = Options.parse(args, CommonOptions.NAMES);
        System.out.println(Secrets.render(CommonOptions.load(options)));
        return 0;
    }
}
