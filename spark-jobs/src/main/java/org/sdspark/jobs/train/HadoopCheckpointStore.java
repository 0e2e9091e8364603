package org.sdspark.jobs.train;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocalFileSystem;
import org.sdspark.model.train.checkpoint.CheckpointStore;

/**
 * Checkpoints on any Hadoop file system (local, hdfs://, s3a://) as {@code <root>/checkpoint-<step>/}.
 * S3 has no atomic rename, so completeness is a marker: the files are uploaded first and
 * {@value #COMPLETE} last, only folders holding it count, and deleting removes it first. A crash
 * mid-upload leaves a folder without the marker, which is ignored and replaced on the next save.
 * Checkpoints are written and read through a local scratch folder, except on the local file system.
 */
public final class HadoopCheckpointStore implements CheckpointStore {
    static final String COMPLETE = "_COMPLETE";
    private static final Pattern NAME = Pattern.compile("checkpoint-(\\d+)");

    private final org.apache.hadoop.fs.Path root;
    private final FileSystem fs;

    public HadoopCheckpointStore(String root, Configuration conf) throws IOException {
        org.apache.hadoop.fs.Path path = new org.apache.hadoop.fs.Path(root);
        this.fs = path.getFileSystem(conf);
        this.root = fs.makeQualified(path);
    }

    @Override
    public List<Long> steps() throws IOException {
        if (!fs.exists(root)) {
            return List.of();
        }
        List<Long> steps = new ArrayList<>();
        for (FileStatus child : fs.listStatus(root)) {
            Matcher m = NAME.matcher(child.getPath().getName());
            if (child.isDirectory() && m.matches() && fs.exists(new org.apache.hadoop.fs.Path(child.getPath(), COMPLETE))) {
                steps.add(Long.parseLong(m.group(1)));
            }
        }
        steps.sort(Comparator.naturalOrder());
        return steps;
    }

    @Override
    public void save(long step, FolderWriter writer) throws IOException {
        org.apache.hadoop.fs.Path target = folder(step);
        fs.delete(target, true);
        if (isLocal()) {
            Path local = Path.of(target.toUri());
            Files.createDirectories(local);
            writer.write(local);
        } else {
            Path scratch = Files.createTempDirectory("sdspark-checkpoint-" + step + "-");
            try {
                writer.write(scratch);
                fs.copyFromLocalFile(false, true, new org.apache.hadoop.fs.Path(scratch.toUri()), target);
            } finally {
                deleteLocal(scratch);
            }
        }
        fs.create(new org.apache.hadoop.fs.Path(target, COMPLETE), true).close();
    }

    @Override
    public <T> T read(long step, FolderReader<T> reader) throws IOException {
        org.apache.hadoop.fs.Path source = folder(step);
        if (!fs.exists(new org.apache.hadoop.fs.Path(source, COMPLETE))) {
            throw new IOException("no complete checkpoint at " + source);
        }
        if (isLocal()) {
            return reader.read(Path.of(source.toUri()));
        }
        Path scratch = Files.createTempDirectory("sdspark-checkpoint-" + step + "-");
        try {
            Path local = scratch.resolve(source.getName());
            fs.copyToLocalFile(false, source, new org.apache.hadoop.fs.Path(local.toUri()), true);
            return reader.read(local);
        } finally {
            deleteLocal(scratch);
        }
    }

    @Override
    public void delete(long step) throws IOException {
        org.apache.hadoop.fs.Path target = folder(step);
        fs.delete(new org.apache.hadoop.fs.Path(target, COMPLETE), false);
        fs.delete(target, true);
    }

    @Override
    public String location() {
        return root.toString();
    }

    private org.apache.hadoop.fs.Path folder(long step) {
        return new org.apache.hadoop.fs.Path(root, "checkpoint-" + step);
    }

    private boolean isLocal() {
        return fs instanceof LocalFileSystem || "file".equals(root.toUri().getScheme());
    }

    private static void deleteLocal(Path dir) throws IOException {
        try (Stream<Path> walk = Files.walk(dir)) {
            walk.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.delete(p);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
    }
}
