package org.sdspark.model.train.checkpoint;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * Where checkpoints live: folders {@code checkpoint-<step>} of files. A checkpoint appears whole or
 * not at all (written under a staging name, then published), so a crash mid-write leaves the
 * previous ones usable. {@link LocalCheckpointStore} is a local directory; the Spark jobs add one
 * on Hadoop file systems (s3a, hdfs) behind the same interface.
 */
public interface CheckpointStore {

    /** The steps of complete checkpoints, ascending. */
    List<Long> steps() throws IOException;

    /** Runs {@code writer} on an empty local folder and publishes what it wrote as checkpoint {@code step}. */
    void save(long step, FolderWriter writer) throws IOException;

    /** Gives {@code reader} a local folder holding checkpoint {@code step}. */
    <T> T read(long step, FolderReader<T> reader) throws IOException;

    void delete(long step) throws IOException;

    /** A short description for messages (the directory or URI). */
    String location();

    @FunctionalInterface
    interface FolderWriter {
        void write(Path folder) throws IOException;
    }

    @FunctionalInterface
    interface FolderReader<T> {
        T read(Path folder) throws IOException;
    }
}
