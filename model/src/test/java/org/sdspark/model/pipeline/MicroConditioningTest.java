package org.sdspark.model.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** SDXL's add_time_ids from the command line's W,H / X,Y values, in diffusers' (row, column) order. */
class MicroConditioningTest {

    @Test
    void defaultsAreTheOutputSizeAndNoCrop() {
        assertThat(MicroConditioning.DEFAULT.timeIds(1216, 832)).containsExactly(832, 1216, 0, 0, 832, 1216);
    }

    @Test
    void sizesAndCropAreGivenAsWidthHeightAndLeftTopButOrderedHeightFirst() {
        MicroConditioning m = new MicroConditioning(new MicroConditioning.Size(1344, 768), 64, 32,
                new MicroConditioning.Size(1216, 832));
        assertThat(m.timeIds(1024, 1024)).containsExactly(768, 1344, 32, 64, 832, 1216);
        MicroConditioning onlyOriginal = new MicroConditioning(new MicroConditioning.Size(512, 384), 0, 0, null);
        assertThat(onlyOriginal.timeIds(1024, 768)).containsExactly(384, 512, 0, 0, 768, 1024);
    }

    @Test
    void negativeCropsAndEmptySizesAreRefused() {
        assertThatThrownBy(() -> new MicroConditioning(null, -1, 0, null)).hasMessageContaining("-1,0");
        assertThatThrownBy(() -> new MicroConditioning.Size(0, 64)).hasMessageContaining("0x64");
    }
}
