package org.sdspark.prep;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigParseOptions;
import java.util.List;
import org.junit.jupiter.api.Test;

class PrepSettingsTest {

    private static PrepSettings parse(String hocon) {
        return PrepSettings.load(ConfigFactory.parseString(hocon, ConfigParseOptions.defaults().setOriginDescription("job.conf")));
    }

    @Test
    void defaultsComeFromReferenceConf() {
        PrepSettings s = parse("sdspark.prep { inputs = [{ path = \"/data/in\" }], output = \"/data/out\" }");
        assertThat(s.inputs()).containsExactly(new InputSpec("/data/in", InputFormat.AUTO, "", "text", "image"));
        assertThat(s.output()).isEqualTo("/data/out");
        assertThat(s.overwrite()).isFalse();
        assertThat(s.partitions()).isZero();
        assertThat(s.ingest()).isEqualTo(new IngestSettings(List.of(".txt", ".caption"), "text", "image", true, ""));
        assertThat(s.filter()).isEqualTo(new FilterSettings(256, 0.17, 2.0, 89_478_485L, 4, true));
        assertThat(s.bucket()).isEqualTo(new BucketSettings(true, 512, 256, 1024, 64, false));
    }

    @Test
    void inputsOverrideIngestDefaults() {
        PrepSettings s = parse("""
                sdspark.prep {
                  ingest.instance-prompt = "a photo"
                  inputs = [
                    { path = "s3a://b/db", format = dreambooth, instance-prompt = "a photo of sks dog" }
                    { path = "/hf", format = parquet, caption-column = "caption", image-column = "img" }
                    { path = "/plain" }
                  ]
                  output = "/out"
                }""");
        assertThat(s.inputs()).containsExactly(
                new InputSpec("s3a://b/db", InputFormat.DREAMBOOTH, "a photo of sks dog", "text", "image"),
                new InputSpec("/hf", InputFormat.PARQUET, "a photo", "caption", "img"),
                new InputSpec("/plain", InputFormat.AUTO, "a photo", "text", "image"));
    }

    @Test
    void wrongTypeNamesKeyAndLine() {
        assertThatThrownBy(() -> parse("""
                sdspark.prep {
                  inputs = [{ path = "/in" }]
                  output = "/out"
                  filter.min-side = "large"
                }"""))
                .isInstanceOf(ConfigException.WrongType.class)
                .hasMessageContaining("job.conf: 4")
                .hasMessageContaining("sdspark.prep.filter.min-side has type STRING rather than NUMBER");
    }

    @Test
    void negativeSizeNamesKeyAndLine() {
        assertThatThrownBy(() -> parse("""
                sdspark.prep {
                  inputs = [{ path = "/in" }]
                  output = "/out"
                  bucket.step = -64
                }"""))
                .isInstanceOf(ConfigException.BadValue.class)
                .hasMessageContaining("job.conf: 4")
                .hasMessageContaining("sdspark.prep.bucket.step")
                .hasMessageContaining("must be > 0, got -64");
    }

    @Test
    void unknownFormatListsTheChoices() {
        assertThatThrownBy(() -> parse("sdspark.prep { inputs = [{ path = \"/in\", format = zip }], output = \"/o\" }"))
                .isInstanceOf(ConfigException.BadValue.class)
                .hasMessageContaining("sdspark.prep.inputs[0].format")
                .hasMessageContaining("auto|folder|kohya|dreambooth|parquet");
    }

    @Test
    void missingInputsAndOutputAreReported() {
        assertThatThrownBy(() -> parse("sdspark.prep { output = \"/o\" }"))
                .isInstanceOf(ConfigException.BadValue.class).hasMessageContaining("sdspark.prep.inputs");
        assertThatThrownBy(() -> parse("sdspark.prep { inputs = [{ path = \"/in\" }] }"))
                .isInstanceOf(ConfigException.BadValue.class).hasMessageContaining("sdspark.prep.output").hasMessageContaining("is required");
    }

    @Test
    void wrongTypeInsideAnInputNamesItsIndex() {
        assertThatThrownBy(() -> parse("""
                sdspark.prep {
                  inputs = [{ path = "/a" }, { path = "/b", caption-column = [1] }]
                  output = "/o"
                }"""))
                .isInstanceOf(ConfigException.WrongType.class)
                .hasMessageContaining("job.conf: 2")
                .hasMessageContaining("sdspark.prep.inputs[1].caption-column");
    }

    @Test
    void dreamboothWithoutPromptIsRejected() {
        assertThatThrownBy(() -> parse("sdspark.prep { inputs = [{ path = \"/in\", format = dreambooth }], output = \"/o\" }"))
                .isInstanceOf(ConfigException.BadValue.class).hasMessageContaining("sdspark.prep.inputs[0].instance-prompt");
    }

    @Test
    void inconsistentBucketBoundsAreRejected() {
        assertThatThrownBy(() -> parse("""
                sdspark.prep { inputs = [{ path = "/in" }], output = "/o", bucket { resolution = 2048 } }"""))
                .isInstanceOf(ConfigException.BadValue.class).hasMessageContaining("sdspark.prep.bucket.resolution").hasMessageContaining("max-side");
    }

    @Test
    void noUpscaleIsReadAndChecked() {
        assertThat(parse("sdspark.prep { inputs = [{ path = \"/in\" }], output = \"/o\", bucket.no-upscale = true }")
                .bucket().noUpscale()).isTrue();
        assertThatThrownBy(() -> parse("""
                sdspark.prep { inputs = [{ path = "/in" }], output = "/o", bucket { no-upscale = true, enabled = false } }"""))
                .isInstanceOf(ConfigException.BadValue.class).hasMessageContaining("sdspark.prep.bucket.no-upscale");
        assertThatThrownBy(() -> parse("""
                sdspark.prep { inputs = [{ path = "/in" }], output = "/o", bucket.no-upscale = true, filter.min-side = 32 }"""))
                .isInstanceOf(ConfigException.BadValue.class).hasMessageContaining("sdspark.prep.bucket.no-upscale")
                .hasMessageContaining("min-side (32)");
    }
}
