package org.sdspark.model.train.checkpoint;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Checkpoints as {@code <root>/checkpoint-<step>/} directories. A checkpoint is written into
 * {@code .checkpoint-<step>.partial} and renamed into place (one atomic rename on a local file
 * system); a folder counts as complete only under its final name.
 */
public final class LocalCheckpointStore implements CheckpointStore {
    private static final Pattern NAME = Pattern.compile("checkpoint-(\\d+)");

    private final Path root;

    public LocalCheckpointStore(Path root) {
        this.root = root;
    }

    @Override
    public List<Long> steps() throws IOException {
        if (!Files.isDirectory(root)) {
            return List.of();
        }
        List<Long> steps = new ArrayList<>();
        try (Stream<Path> children = Files.list(root)) {
            children.filter(Files::isDirectory).forEach(p -> {
                Matcher m = NAME.matcher(p.getFileName().toString());
                if (m.matches()) {
                    steps.add(Long.parseLong(m.group(1)));
                }
            });
        }
        steps.sort(Comparator.naturalOrder());
        return steps;
    }

    @Override
    public void save(long step, FolderWriter writer) throws IOException {
        Files.createDirectories(root);
        Path staging = root.resolve(".checkpoint-" + step + ".partial");
        deleteTree(staging);
        Files.createDirectories(staging);
        writer.write(staging);
        Path target = folder(step);
        deleteTree(target);
        Files.move(staging, target, StandardCopyOption.ATOMIC_MOVE);
    }

    @Override
    public <T> T read(long step, FolderReader<T> reader) throws IOException {
        Path folder = folder(step);
        if (!Files.isDirectory(folder)) {
            throw new IOException("no checkpoint " + folder);
        }
        return reader.read(folder);
    }

    @Override
    public void delete(long step) throws IOException {
        deleteTree(folder(step));
    }

    @Override
    public String location() {
        return root.toString();
    }

    private Path folder(long step) {
        return root.resolve("checkpoint-" + step);
    }

    private static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
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
