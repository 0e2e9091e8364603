package org.sdspark.jobs;

import java.util.List;

/** One `sdspark <name>` command. Names may have several words ("bench prep"). */
public interface Command {

    /** Words after `sdspark` that select this command, e.g. "prep" or "bench prep". */
    String name();

    /** One line for `sdspark --help`. */
    String summary();

    /** Full text for `sdspark <name> --help`: usage and every option. */
    String help();

    /** Runs with the arguments that follow the name; returns the process exit code. */
    int run(List<String> args) throws Exception;
}
