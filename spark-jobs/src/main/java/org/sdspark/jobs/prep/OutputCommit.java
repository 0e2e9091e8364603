package org.sdspark.jobs.prep;

import java.io.IOException;
import java.io.PrintStream;
import java.util.UUID;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.SparkSession;
import org.sdspark.jobs.SparkSessions;
import org.sdspark.jobs.UsageError;

/**
 * Writes go to a hidden sibling of the output, which becomes the output only when everything is
 * written: an interrupted run leaves the old output (or none) and never a half-written dataset.
 * The sibling carries a {@link StagingLease} while the run lives, so that a later run can tell
 * the leftovers of a killed run from the work of a live one and remove them.
 */
public final class OutputCommit {

    public static final String SUCCESS = "_SUCCESS";

    /** A job's work, writing under the staging directory. */
    @FunctionalInterface
    public interface Work<R> {
        R write(Path staging) throws IOException;
    }

    private final HadoopFiles files;
    private final Path output;
    private final boolean overwrite;
    private final String overwriteKey;
    private final Path staging;
    private StagingLease lease;

    /** @param overwriteKey the setting that allows replacing an existing output, named in the error */
    public OutputCommit(HadoopFiles files, String output, boolean overwrite, String overwriteKey) {
        this.files = files;
        this.output = files.qualify(output);
        this.overwrite = overwrite;
        this.overwriteKey = overwriteKey;
        this.staging = new Path(this.output.getParent(), stagingPrefix(this.output) + UUID.randomUUID().toString().substring(0, 8));
    }

    /** Names of the staging folders of {@code output} start with this. */
    static String stagingPrefix(Path output) {
        return "." + output.getName() + ".sdspark-";
    }

    public Path staging() {
        return staging;
    }

    /** Fails before any work when the output exists and may not be replaced. */
    public void checkWritable() throws IOException {
        if (!overwrite && files.exists(output)) {
            throw new UsageError("output " + output + " already exists; set " + overwriteKey + " = true "
                    + "(or --set " + overwriteKey + "=true) to replace it");
        }
    }

    /**
     * Runs {@code work} into the staging directory (first removing dead runs' ones, see {@link
     * #begin}) and renames it to the output; on any failure the staging directory is removed once
     * the executors are idle, and the output is left as it was.
     */
    public <R> R run(SparkSession spark, PrintStream out, Work<R> work) throws IOException {
        checkWritable();
        begin(out);
        try {
            R result = work.write(staging);
            commit();
            return result;
        } catch (Throwable e) {
            // Spark's own exceptions are checked ones thrown undeclared from Scala: catch everything.
            SparkSessions.awaitIdleExecutors(spark);
            abort();
            throw e;
        }
    }

    /** Removes the staging folders of dead runs of this output, then claims this run's own. */
    public void begin(PrintStream out) throws IOException {
        StagingLease.removeStale(files, output, out);
        lease = StagingLease.take(files, staging);
    }

    public void commit() throws IOException {
        if (lease != null) lease.close();
        FileSystem fs = files.fs(output);
        if (files.exists(output)) {
            checkWritable();
            if (!fs.delete(output, true)) {
                throw new IOException("cannot delete the previous output " + output);
            }
        }
        if (!fs.rename(staging, output)) {
            throw new IOException("cannot rename " + staging + " to " + output);
        }
        fs.create(new Path(output, SUCCESS), true).close();
    }

    /** Removes what a failed run wrote; the output itself is untouched. */
    public void abort() {
        try {
            if (lease != null) lease.close();
        } catch (IOException | RuntimeException e) {
            // the folder goes below anyway
        }
        try {
            files.fs(staging).delete(staging, true);
        } catch (IOException | RuntimeException e) {
            System.err.println("warning: could not remove the staging directory " + staging + ": " + e.getMessage());
        }
    }
}
