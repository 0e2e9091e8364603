package org.sdspark.prep;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigParseOptions;
import org.junit.jupiter.api.Test;
import org.sdspark.prep.caption.CaptionMode;

class CaptionSettingsTest {

    private static CaptionSettings parse(String hocon) {
        return CaptionSettings.from(ConfigFactory.parseString(hocon, ConfigParseOptions.defaults().setOriginDescription("job.conf"))
                .withFallback(ConfigFactory.defaultReference(CaptionSettings.class.getClassLoader())).resolve());
    }

    @Test
    void defaultsComeFromReferenceConf() {
        CaptionSettings s = parse("sdspark.caption { input = \"/in\", output = \"/out\", model = \"/blip\" }");
        assertThat(s).isEqualTo(new CaptionSettings("/in", "/out", false, "/blip", CaptionMode.FILL, "", ", ", 16, 3, 30, 5,
                1.0, 1.0, "auto", 0, false));
    }

    @Test
    void badValuesNameTheKeyAndTheFile() {
        String base = "sdspark.caption { input = \"/in\", output = \"/out\", model = \"/blip\"\n";
        assertThatThrownBy(() -> parse(base + "mode = merge }")).isInstanceOf(ConfigException.BadValue.class)
                .hasMessageContaining("job.conf: 2").hasMessageContaining("sdspark.caption.mode");
        assertThatThrownBy(() -> parse(base + "dtype = bfloat16 }")).hasMessageContaining("sdspark.caption.dtype")
                .hasMessageContaining("must be auto, float32 or float16, got 'bfloat16'");
        assertThatThrownBy(() -> parse(base + "num-beams = 0 }")).hasMessageContaining("sdspark.caption.num-beams");
        assertThatThrownBy(() -> parse(base + "repetition-penalty = 0 }")).hasMessageContaining("sdspark.caption.repetition-penalty");
        assertThatThrownBy(() -> parse("sdspark.caption { input = \"/in\", output = \"/out\" }"))
                .hasMessageContaining("sdspark.caption.model").hasMessageContaining("is required");
    }
}
