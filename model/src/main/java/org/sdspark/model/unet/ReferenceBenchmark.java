package org.sdspark.model.unet;

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
 * diffusers' UNet) with the same shapes, in a Python process of its own: the interpreter is
 * {@code $PYTHON}, else {@code python3}. The script's last stdout line is a {@link UNetBenchmark.Result}.
 */
final class ReferenceBenchmark {
    private ReferenceBenchmark() {
    }

    static UNetBenchmark.Result run(Path script, List<String> arguments) {
        if (!Files.isRegularFile(script)) {
            throw new IllegalArgumentException("reference script " + script + " does not exist");
        }
        String python = System.getenv().getOrDefault("PYTHON", "python3");
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
            return new ObjectMapper().readValue(last, UNetBenchmark.Result.class);
        } catch (IOException e) {
            throw new IllegalStateException("reference benchmark " + String.join(" ", command) + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while the reference benchmark ran", e);
        }
    }
}
