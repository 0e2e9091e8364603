package org.sdspark.jobs.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigRenderOptions;
import com.typesafe.config.ConfigValueFactory;
import java.util.Locale;

/** Keeps credentials out of anything printed. */
public final class Secrets {

    private Secrets() {
    }

    public static String mask(String secret) {
        return secret.isEmpty() ? "" : "****";
    }

    /** True for keys whose values are credentials. */
    public static boolean isSecret(String path) {
        String p = path.toLowerCase(Locale.ROOT);
        return p.contains("secret") || p.contains("access-key") || p.contains("password") || p.contains("token");
    }

    /** The `sdspark` block as HOCON, with every credential replaced by `****`. */
    public static String render(Config config) {
        Config masked = config.getConfig("sdspark");
        for (var entry : masked.entrySet()) {
            if (isSecret(entry.getKey()) && !entry.getValue().unwrapped().toString().isEmpty()) {
                masked = masked.withValue(entry.getKey(), ConfigValueFactory.fromAnyRef("****"));
            }
        }
        return masked.atPath("sdspark").root()
                .render(ConfigRenderOptions.defaults().setOriginComments(false).setJson(false));
    }
}
