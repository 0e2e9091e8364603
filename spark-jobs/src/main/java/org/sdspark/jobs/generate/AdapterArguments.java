package org.sdspark.jobs.generate;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.sdspark.jobs.UsageError;

/**
 * {@code --lora FILE[:SCALE]} and {@code --embedding FILE[:TOKEN]}, checked before any model is
 * loaded. A value that names an existing file is the file alone (paths may hold ':'); otherwise the
 * part after the last ':' is the scale or token.
 */
final class AdapterArguments {

    /** A LoRA file and the multiplier of its weights (1 = as trained). */
    record Lora(Path file, double scale) {
    }

    /** An embedding file and the prompt word that stands for it, replacing the file's own. */
    record Embedding(Path file, Optional<String> token) {
    }

    private AdapterArguments() {
    }

    static List<Lora> loras(List<String> values) {
        return values.stream().map(AdapterArguments::lora).toList();
    }

    static List<Embedding> embeddings(List<String> values) {
        return values.stream().map(AdapterArguments::embedding).toList();
    }

    private static Lora lora(String value) {
        String[] fileAndScale = split("--lora", value, "FILE[:SCALE]");
        if (fileAndScale[1] == null) {
            return new Lora(Path.of(fileAndScale[0]), 1);
        }
        try {
            double scale = Double.parseDouble(fileAndScale[1]);
            if (Double.isFinite(scale)) {
                return new Lora(Path.of(fileAndScale[0]), scale);
            }
        } catch (NumberFormatException e) {
            // reported below with the whole value
        }
        throw new UsageError("--lora " + value + ": the scale '" + fileAndScale[1] + "' is not a number (FILE[:SCALE])");
    }

    private static Embedding embedding(String value) {
        String[] fileAndToken = split("--embedding", value, "FILE[:TOKEN]");
        if (fileAndToken[1] != null && fileAndToken[1].isBlank()) {
            throw new UsageError("--embedding " + value + ": the token after ':' is empty (FILE[:TOKEN])");
        }
        return new Embedding(Path.of(fileAndToken[0]), Optional.ofNullable(fileAndToken[1]));
    }

    // {file, suffix or null}; the file must exist
    private static String[] split(String option, String value, String form) {
        if (Files.isRegularFile(Path.of(value))) {
            return new String[] {value, null};
        }
        int colon = value.lastIndexOf(':');
        if (colon > 0 && Files.isRegularFile(Path.of(value.substring(0, colon)))) {
            return new String[] {value.substring(0, colon), value.substring(colon + 1)};
        }
        throw new UsageError(option + " " + value + ": no such file (" + form + ")");
    }
}
