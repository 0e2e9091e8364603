package org.sdspark.jobs.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.sdspark.jobs.UsageError;

class BenchUnetCommandTest {

    @Test
    void helpDocumentsEveryOption() {
        assertThat(new BenchUnetCommand().help())
                .contains("--batch", "--resolution", "--fp16", "--steps", "--warmup", "--reference", "train_samples_per_s", "peak_train_gib");
    }

    @Test
    void badOptionsAreUsageErrorsNamingTheOption() {
        BenchUnetCommand command = new BenchUnetCommand();
        assertThatThrownBy(() -> command.run(List.of("--resolution", "500")))
                .isInstanceOf(UsageError.class).hasMessageContaining("multiple of 8");
        assertThatThrownBy(() -> command.run(List.of("--batch", "two")))
                .isInstanceOf(UsageError.class).hasMessageContaining("--batch");
        assertThatThrownBy(() -> command.run(List.of("--fast")))
                .isInstanceOf(UsageError.class).hasMessageContaining("--fast");
    }
}
