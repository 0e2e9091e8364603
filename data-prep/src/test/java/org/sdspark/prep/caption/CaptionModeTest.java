package org.sdspark.prep.caption;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class CaptionModeTest {

    @Test
    void fillCaptionsOnlyRowsWithoutACaption() {
        assertThat(CaptionMode.FILL.captions(null)).isTrue();
        assertThat(CaptionMode.FILL.captions("  ")).isTrue();
        assertThat(CaptionMode.FILL.captions("a dog")).isFalse();
        assertThat(CaptionMode.REPLACE.captions("a dog")).isTrue();
        assertThat(CaptionMode.APPEND.captions("a dog")).isTrue();
    }

    @Test
    void mergesPutTheNewCaptionWhereTheModeSays() {
        assertThat(CaptionMode.FILL.merge(null, "new", ", ")).isEqualTo("new");
        assertThat(CaptionMode.REPLACE.merge("old", "new", ", ")).isEqualTo("new");
        assertThat(CaptionMode.PREPEND.merge("old", "new", ", ")).isEqualTo("new, old");
        assertThat(CaptionMode.APPEND.merge("old", "new", " | ")).isEqualTo("old | new");
        assertThat(CaptionMode.APPEND.merge("", "new", ", ")).as("no separator before nothing").isEqualTo("new");
    }

    @Test
    void parsesConfigurationNames() {
        assertThat(CaptionMode.parse("prepend")).isEqualTo(CaptionMode.PREPEND);
        assertThatThrownBy(() -> CaptionMode.parse("Fill")).hasMessageContaining("fill|replace|prepend|append");
    }
}
