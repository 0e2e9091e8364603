package org.sdspark.jobs.prep;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocatedFileStatus;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RemoteIterator;

/**
 * Marks a staging folder as owned by this run, with a heartbeat, and removes the staging
 * folders of dead runs of the same output (see {@link StagingOwner} for how death is judged).
 * A run killed with SIGKILL cannot clean up after itself; the next run of the same output does.
 */
final class StagingLease implements AutoCloseable {

    static final Duration BEAT = Duration.ofSeconds(30);
    /** Twenty missed beats: far beyond a GC pause or a slow store, short of a day's clutter. */
    static final Duration SILENCE = Duration.ofMinutes(10);

    private final HadoopFiles files;
    private final Path ownerFile;
    private final Thread beater;

    private StagingLease(HadoopFiles files, Path staging) {
        this.files = files;
        this.ownerFile = new Path(staging, StagingOwner.FILE);
        this.beater = new Thread(this::beat, "sdspark-staging-heartbeat");
        this.beater.setDaemon(true);
    }

    /** Writes the owner file into {@code staging} (creating it) and starts beating. */
    static StagingLease take(HadoopFiles files, Path staging) throws IOException {
        StagingLease lease = new StagingLease(files, staging);
        lease.write();
        lease.beater.start();
        return lease;
    }

    private void write() throws IOException {
        files.writeText(ownerFile, StagingOwner.ofThisProcess().text());
    }

    private void beat() {
        while (!Thread.currentThread().isInterrupted()) {
            try {
                Thread.sleep(BEAT.toMillis());
                write();
            } catch (InterruptedException e) {
                return;
            } catch (IOException | RuntimeException e) {
                System.err.println("warning: could not renew " + ownerFile + ": " + e.getMessage());
            }
        }
    }

    /** Stops beating and removes the owner file, so that the folder can become the output. */
    @Override
    public void close() throws IOException {
        beater.interrupt();
        try {
            beater.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        files.fs(ownerFile).delete(ownerFile, false);
    }

    /** Removes the staging folders of {@code output} whose runs are dead; returns what was removed. */
    static List<Path> removeStale(HadoopFiles files, Path output, PrintStream out) throws IOException {
        FileSystem fs = files.fs(output);
        Path parent = output.getParent();
        List<Path> removed = new ArrayList<>();
        if (parent == null || !fs.exists(parent)) return removed;
        String prefix = OutputCommit.stagingPrefix(output);
        for (FileStatus folder : fs.listStatus(parent, p -> p.getName().startsWith(prefix))) {
            if (!folder.isDirectory()) continue;
            try {
                Optional<String> dead = deadBecause(files, fs, folder);
                if (dead.isPresent() && fs.delete(folder.getPath(), true)) {
                    out.println("removed the staging folder of a dead run, " + folder.getPath() + ": " + dead.get());
                    removed.add(folder.getPath());
                }
            } catch (IOException e) {
                // its run committed or cleaned up meanwhile, or the store hiccuped: judge it next time
                out.println("warning: left " + folder.getPath() + " alone: " + e.getMessage());
            }
        }
        return removed;
    }

    private static Optional<String> deadBecause(HadoopFiles files, FileSystem fs, FileStatus folder) throws IOException {
        Path ownerFile = new Path(folder.getPath(), StagingOwner.FILE);
        Optional<StagingOwner> owner = fs.exists(ownerFile) ? StagingOwner.parse(read(files, ownerFile)) : Optional.empty();
        Instant lastBeat = Instant.ofEpochMilli(owner.isPresent()
                ? fs.getFileStatus(ownerFile).getModificationTime() : newestWrite(fs, folder));
        return StagingOwner.deadBecause(owner, lastBeat, Instant.now(), SILENCE);
    }

    private static String read(HadoopFiles files, Path file) throws IOException {
        try (InputStream in = files.fs(file).open(file)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    private static long newestWrite(FileSystem fs, FileStatus folder) throws IOException {
        long newest = folder.getModificationTime();
        RemoteIterator<LocatedFileStatus> it = fs.listFiles(folder.getPath(), true);
        while (it.hasNext()) newest = Math.max(newest, it.next().getModificationTime());
        return newest;
    }
}
