package org.sdspark.jobs.config;

import com.typesafe.config.ConfigValueFactory;
import java.nio.file.Path;

/** Values written into HOCON text (generated configs, `--set` arguments). */
public final class Hocon {
    private Hocon() {
    }

    /** {@code value} as a quoted HOCON string: paths with spaces, colons or quotes stay one value. */
    public static String quote(String value) {
        return ConfigValueFactory.fromAnyRef(value).render();
    }

    public static String quote(Path path) {
        return quote(path.toString());
    }
}
