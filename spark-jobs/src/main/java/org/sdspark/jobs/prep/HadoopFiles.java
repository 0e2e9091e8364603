package org.sdspark.jobs.prep;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocalFileSystem;
import org.apache.hadoop.fs.LocatedFileStatus;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RemoteIterator;
import org.apache.spark.sql.SparkSession;

/**
 * Hadoop FileSystem access that can travel to executors: local paths, `s3a://` and anything else
 * Hadoop knows, with the session's settings (S3A endpoint, credentials) carried along.
 */
public final class HadoopFiles implements Serializable {

    private final Map<String, String> settings;
    private transient Configuration configuration;

    private HadoopFiles(Map<String, String> settings) {
        this.settings = settings;
    }

    public static HadoopFiles of(SparkSession spark) {
        Map<String, String> settings = new HashMap<>();
        spark.sparkContext().hadoopConfiguration().forEach(e -> settings.put(e.getKey(), e.getValue()));
        return new HadoopFiles(settings);
    }

    public Configuration configuration() {
        if (configuration == null) {
            Configuration c = new Configuration(false);
            settings.forEach(c::set);
            configuration = c;
        }
        return configuration;
    }

    public FileSystem fs(Path path) {
        try {
            return path.getFileSystem(configuration());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open the file system of " + path, e);
        }
    }

    /** The absolute, scheme-qualified form of a user path ("data" becomes "file:/home/me/data"). */
    public Path qualify(String path) {
        Path p = new Path(path);
        return fs(p).makeQualified(p);
    }

    public boolean exists(Path path) throws IOException {
        return fs(path).exists(path);
    }

    /**
     * The file or directory at {@code path}, or, when there is none and the path is a glob
     * ({@code data/train-*.parquet}), everything it matches, sorted; empty when nothing is there.
     * A name that exists as written wins over its reading as a pattern ("photos [2023]").
     */
    List<FileStatus> expand(Path path) throws IOException {
        FileSystem fs = fs(path);
        if (fs.exists(path)) return List.of(fs.getFileStatus(path));
        if (!isGlob(path)) return List.of();
        FileStatus[] matched = fs.globStatus(path);
        return matched == null ? List.of() : Arrays.stream(matched).sorted().toList();
    }

    static boolean isGlob(Path path) {
        return path.toUri().getPath().chars().anyMatch(c -> "*?[{".indexOf(c) >= 0);
    }

    /** Reads a file named by its URI, the form that survives spaces, '#', ':' and unicode in names. */
    public byte[] read(String uri) throws IOException {
        return read(new Path(URI.create(uri)));
    }

    public byte[] read(Path path) throws IOException {
        try (InputStream in = raw(fs(path)).open(path)) {
            return in.readAllBytes();
        }
    }

    /**
     * Every file under {@code root} (root itself when it is a file). Object stores list a whole
     * tree in a few requests ({@code listFiles}); on local disks that call builds
     * LocatedFileStatus objects, whose permissions Hadoop reads by running a shell command per
     * file (seconds per thousand files), so local trees are walked with plain listings instead.
     */
    List<FileStatus> listRecursively(Path root) throws IOException {
        FileSystem fs = fs(root);
        List<FileStatus> found = new ArrayList<>();
        if (fs instanceof LocalFileSystem local) {
            walk(local.getRawFileSystem(), local.getRawFileSystem().getFileStatus(root), found);
        } else {
            RemoteIterator<LocatedFileStatus> it = fs.listFiles(root, true);
            while (it.hasNext()) found.add(it.next());
        }
        return found;
    }

    private static void walk(FileSystem fs, FileStatus status, List<FileStatus> found) throws IOException {
        if (!status.isDirectory()) {
            found.add(status);
            return;
        }
        FileStatus[] children = fs.listStatus(status.getPath());
        Arrays.sort(children);
        for (FileStatus child : children) walk(fs, child, found);
    }

    /** Local files are read past Hadoop's checksum layer: no .crc files sit beside input images. */
    private static FileSystem raw(FileSystem fs) {
        return fs instanceof LocalFileSystem local ? local.getRawFileSystem() : fs;
    }

    public void writeText(Path path, String text) throws IOException {
        try (OutputStream out = fs(path).create(path, true)) {
            out.write(text.getBytes(StandardCharsets.UTF_8));
        }
    }
}
