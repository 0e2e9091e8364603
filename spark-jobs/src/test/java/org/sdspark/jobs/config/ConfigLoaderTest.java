package org.sdspark.jobs.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.typesafe.config.Config;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sdspark.jobs.UsageError;
import org.sdspark.prep.PrepSettings;

class ConfigLoaderTest {

    @TempDir
    Path dir;

    private Path file(String hocon) throws IOException {
        Path f = dir.resolve("user.conf");
        Files.writeString(f, hocon);
        return f;
    }

    private Config load(String hocon, String... sets) throws IOException {
        return ConfigLoader.load(Optional.of(file(hocon)), List.of(sets));
    }

    @Test
    void setWinsOverFileWhichWinsOverReference() throws IOException {
        Config c = load("""
                sdspark.prep {
                  inputs = [{ path = "/data/a" }]
                  output = "/data/out"
                  filter.min-side = 300
                  filter.max-aspect = 3.0
                }
                """, "sdspark.prep.filter.min-side=128", "sdspark.prep.output=s3a://bucket/out");
        PrepSettings prep = PrepSettings.from(c);
        assertThat(prep.filter().minSide()).isEqualTo(128);
        assertThat(prep.filter().maxAspect()).isEqualTo(3.0);
        assertThat(prep.output()).isEqualTo("s3a://bucket/out");
        assertThat(prep.bucket().resolution()).isEqualTo(512);
    }

    @Test
    void setTakesHoconListsAndPlainUrls() {
        Config c = ConfigLoader.load(Optional.empty(), List.of(
                "sdspark.prep.inputs=[{ path = \"s3a://bucket/raw\", format = kohya }]",
                "sdspark.prep.output=s3a://bucket/out"));
        PrepSettings prep = PrepSettings.from(c);
        assertThat(prep.inputs()).singleElement().satisfies(i -> assertThat(i.path()).isEqualTo("s3a://bucket/raw"));
        assertThat(prep.output()).isEqualTo("s3a://bucket/out");
        assertThatThrownBy(() -> ConfigLoader.load(Optional.empty(), List.of("sdspark.prep.inputs=[{ path = ")))
                .isInstanceOf(UsageError.class).hasMessageContaining("--set sdspark.prep.inputs");
    }

    @Test
    void unknownKeyNamesFileLineAndSuggestsTheNearestKey() throws IOException {
        assertThatThrownBy(() -> load("""
                sdspark.prep {
                  output = "/o"
                  filter { min-sid = 300 }
                }
                """))
                .isInstanceOf(UsageError.class)
                .hasMessageContaining("user.conf: 3")
                .hasMessageContaining("unknown key sdspark.prep.filter.min-sid")
                .hasMessageContaining("did you mean sdspark.prep.filter.min-side?");
    }

    @Test
    void keyOutsideTheSdsparkBlockIsUnknownToo() throws IOException {
        assertThatThrownBy(() -> load("prep.overwrite = true\n"))
                .isInstanceOf(UsageError.class)
                .hasMessageContaining("unknown key prep.overwrite")
                .hasMessageContaining("did you mean sdspark.prep.overwrite?");
    }

    @Test
    void unknownKeyFromSetIsNamedAsSuch() {
        assertThatThrownBy(() -> ConfigLoader.load(Optional.empty(), List.of("sdspark.s3.endpont=http://x")))
                .isInstanceOf(UsageError.class)
                .hasMessageContaining("--set sdspark.s3.endpont")
                .hasMessageContaining("did you mean sdspark.s3.endpoint?");
    }

    @Test
    void wrongTypeNamesKeyAndFile() throws IOException {
        Config c = load("""
                sdspark.prep {
                  inputs = [{ path = "/data/a" }]
                  output = "/o"
                  filter.min-side = "large"
                }
                """);
        assertThatThrownBy(() -> PrepSettings.from(c))
                .hasMessageContaining("user.conf: 4")
                .hasMessageContaining("sdspark.prep.filter.min-side");
    }

    @Test
    void negativeSizeNamesKeyAndFile() throws IOException {
        Config c = load("""
                sdspark.prep {
                  inputs = [{ path = "/data/a" }]
                  output = "/o"
                  bucket {
                    resolution = -512
                  }
                }
                """);
        assertThatThrownBy(() -> PrepSettings.from(c))
                .hasMessageContaining("user.conf: 5")
                .hasMessageContaining("sdspark.prep.bucket.resolution");
    }

    @Test
    void freeFormSparkConfTakesAnyKey() throws IOException {
        Config c = load("sdspark.spark.conf { \"spark.driver.memory\" = 8g, spark.sql.shuffle.partitions = 16 }");
        assertThat(SparkSettings.from(c).conf())
                .containsEntry("spark.driver.memory", "8g")
                .containsEntry("spark.sql.shuffle.partitions", "16");
    }

    @Test
    void credentialsAreMaskedInDumpsAndToString() throws IOException {
        Config c = load("sdspark.s3 { access-key = AKIAEXAMPLE, secret-key = \"s3cr3t/value\" }");
        S3Settings s3 = S3Settings.from(c);
        assertThat(s3.hadoopProperties()).containsEntry("fs.s3a.secret.key", "s3cr3t/value");
        assertThat(s3.toString()).doesNotContain("s3cr3t").doesNotContain("AKIAEXAMPLE");
        assertThat(Secrets.render(c)).doesNotContain("s3cr3t").doesNotContain("AKIAEXAMPLE").contains("****");
    }

    @Test
    void halfACredentialIsAnError() throws IOException {
        Config c = load("sdspark.s3 { access-key = AKIAEXAMPLE }");
        Assumptions.assumeTrue(System.getenv("AWS_SECRET_ACCESS_KEY") == null, "an AWS secret in the environment");
        assertThatThrownBy(() -> S3Settings.from(c)).hasMessageContaining("sdspark.s3.secret-key");
    }

    @Test
    void missingConfigFileIsAUsageError() {
        assertThatThrownBy(() -> ConfigLoader.load(Optional.of(dir.resolve("nope.conf")), List.of()))
                .isInstanceOf(UsageError.class)
                .hasMessageContaining("nope.conf not found");
    }
}
