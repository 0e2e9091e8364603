package org.sdspark.jobs.latents;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class KeyedBatchesTest {

    @Test
    void fullBatchesLeaveAsSoonAsTheyFillAndTheRestInTheOrderOfTheirFirstItemsAtTheEnd() {
        List<String> items = List.of("a1", "b1", "a2", "c1", "a3", "b2", "b3", "a4", "b4");
        List<List<String>> batches = new ArrayList<>();
        new KeyedBatches<>(items.iterator(), s -> s.charAt(0), 3).forEachRemaining(batches::add);
        assertThat(batches).containsExactly(List.of("a1", "a2", "a3"), List.of("b1", "b2", "b3"),
                List.of("c1"), List.of("a4"), List.of("b4"));
    }

    @Test
    void noItemsNoBatches() {
        assertThat(new KeyedBatches<String, Integer>(List.<String>of().iterator(), String::length, 2).hasNext()).isFalse();
    }
}
