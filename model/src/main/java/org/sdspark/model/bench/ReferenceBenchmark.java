package org.sdspark.model.bench;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Runs a reference benchmark script (e.g. {@code model/src/main/python/bench_unet_reference.py},
 * diffusers' UNet) with the same shapes, in a Python process of its own. Both sides print their
 * result as one JSON line of the same fields: the script's last stdout line is read as sdspark's
 * result type.
 */
public final class ReferenceBenchmark {
    private static final ObjectMapper JSON = new ObjectMapper();

    private ReferenceBenchmark() {
    }

    /** {@code result} as the one JSON line a benchmark prints. */
    public static String jsonLine(Object result) {
        try {
            return JSON.writeValueAsString(result);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** {@link #run(String, Path, List, Class)} under {@code $PYTHON}, else {@code python3}. */
    public static <R> R run(Path script, List<String> arguments, Class<R> type) {
        return run(System.getenv().getOrDefault("PYTHON", "python3"), script, arguments, type);
    }

    /** Runs {@code python script arguments...} and reads its last stdout line as {@code type}. */
    public static <R> R run(String python, Path script, List<String> arguments, Class<R> type) {
        if (!Files.isRegularFile(script)) {
            throw new IllegalArgumentException("reference script " + script + " does not exist");
        }
        List<String> command = new ArrayList<>(List.of(python, script.toString()));
        command.addAll(arguments);
        try {
            Process process = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
            String last = null;
            try (BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line = out.readLine(); line != null; line = out.readLine()) {
                    last = line;
                }
            }
            int exit = process.waitFor();
            if (exit != 0 || last == null) {
                throw new IllegalStateException("reference benchmark " + String.join(" ", command) + " failed (exit code "
                        + exit + ")");
            }
            return JSON.readValue(last, type);
        } catch (IOException e) {
            throw new IllegalStateException("reference benchmark " + String.join(" ", command) + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while the reference benchmark ran", e);
        }
    }
}
