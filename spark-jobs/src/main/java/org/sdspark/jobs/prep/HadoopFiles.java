package org.sdspark.jobs.prep;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
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

    /** Reads a file named by its URI, the form that survives spaces, '#', ':' and unicode in names. */
    public byte[] read(String uri) throws IOException {
        return read(new Path(URI.create(uri)));
    }

    public byte[] read(Path path) throws IOException {
        try (InputStream in = fs(path).open(path)) {
            return in.readAllBytes();
        }
    }

    public void writeText(Path path, String text) throws IOException {
        try (OutputStream out = fs(path).create(path, true)) {
            out.write(text.getBytes(StandardCharsets.UTF_8));
        }
    }
}
