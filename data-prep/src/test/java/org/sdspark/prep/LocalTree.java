package org.sdspark.prep;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.sdspark.prep.source.SourceFile;
import org.sdspark.prep.source.SourceReader;

/** An input tree on local disk, as the Spark side presents one through Hadoop FS. */
public record LocalTree(Path root) implements SourceReader {

    public List<SourceFile> files() throws IOException {
        try (Stream<Path> walk = Files.walk(root)) {
            return walk.filter(Files::isRegularFile)
                    .map(p -> new SourceFile(relative(p), size(p)))
                    .sorted(java.util.Comparator.comparing(SourceFile::path))
                    .toList();
        }
    }

    @Override
    public byte[] read(String relativePath) throws IOException {
        return Files.readAllBytes(root.resolve(relativePath));
    }

    private String relative(Path p) {
        return root.relativize(p).toString().replace(java.io.File.separatorChar, '/');
    }

    private static long size(Path p) {
        try {
            return Files.size(p);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
