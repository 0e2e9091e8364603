package org.sdspark.jobs.prep;

import java.io.IOException;
import java.io.StringReader;
import java.net.InetAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.Properties;

/**
 * The run that owns a staging folder: host, process id and start time, written into the folder
 * as {@link #FILE} and rewritten every few seconds as a heartbeat (see {@link StagingLease}).
 *
 * <p>A later run judges a folder dead, and removes it, only when that is certain or long
 * evident: on the same host, when no process with that id is alive or the one alive started
 * after the owner did (the id was reused); anywhere else (an S3 output shared by several
 * machines, a driver on another node) only when the heartbeat is older than the allowed silence.
 * A folder without an owner file (a run killed in its first moments, or one from an sdspark
 * without leases) counts as beating when its newest file was written.
 */
record StagingOwner(String host, long pid, Instant started) {

    static final String FILE = "_sdspark_owner";

    static StagingOwner ofThisProcess() {
        ProcessHandle self = ProcessHandle.current();
        return new StagingOwner(thisHost(), self.pid(), self.info().startInstant().orElse(Instant.now()));
    }

    String text() {
        return "host=" + host + "\npid=" + pid + "\nstarted=" + started + "\n";
    }

    static Optional<StagingOwner> parse(String text) {
        Properties p = new Properties();
        try {
            p.load(new StringReader(text));
            return Optional.of(new StagingOwner(p.getProperty("host"), Long.parseLong(p.getProperty("pid")),
                    Instant.parse(p.getProperty("started"))));
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    /**
     * Why the run that last beat at {@code lastBeat} is dead, or empty while it may be alive.
     * {@code owner} is empty for a folder without an owner file.
     */
    static Optional<String> deadBecause(Optional<StagingOwner> owner, Instant lastBeat, Instant now, Duration silence) {
        if (owner.isPresent() && owner.get().host().equals(thisHost())) {
            StagingOwner o = owner.get();
            Optional<ProcessHandle> process = ProcessHandle.of(o.pid());
            if (process.isEmpty() || !process.get().isAlive()) return Optional.of("its process " + o.pid() + " has ended");
            Optional<Instant> started = process.get().info().startInstant();
            // start times are reported to the second or coarser: a later start by more than that is another process
            if (started.isPresent() && started.get().isAfter(o.started().plusSeconds(2))) {
                return Optional.of("its process id " + o.pid() + " now belongs to a process started " + started.get());
            }
            return Optional.empty();
        }
        Duration quiet = Duration.between(lastBeat, now);
        if (quiet.compareTo(silence) > 0) {
            return Optional.of((owner.isPresent() ? "its owner on " + owner.get().host() + " last beat " : "nothing written for ")
                    + quiet.toMinutes() + " min ago (allowed silence " + silence.toMinutes() + " min)");
        }
        return Optional.empty();
    }

    static String thisHost() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            return System.getenv().getOrDefault("HOSTNAME", "unknown-host");
        }
    }
}
