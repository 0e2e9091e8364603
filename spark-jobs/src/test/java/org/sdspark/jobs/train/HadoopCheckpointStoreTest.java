package org.sdspark.jobs.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The marker protocol on the local file system (the S3 round trip is in S3ARoundTripTest). */
class HadoopCheckpointStoreTest {

    @Test
    void onlyCheckpointsWithTheirMarkerCountAndTheNewestWins(@TempDir Path dir) throws IOException {
        HadoopCheckpointStore store = new HadoopCheckpointStore(dir.toString(), new Configuration());
        store.save(10, folder -> Files.writeString(folder.resolve("state.json"), "ten"));
        store.save(20, folder -> Files.writeString(folder.resolve("state.json"), "twenty"));
        Files.createDirectories(dir.resolve("checkpoint-30")); // a crash mid-upload: no marker
        Files.writeString(dir.resolve("checkpoint-30").resolve("state.json"), "half");

        assertThat(store.steps()).containsExactly(10L, 20L);
        String twenty = store.read(20, folder -> Files.readString(folder.resolve("state.json")));
        assertThat(twenty).isEqualTo("twenty");
        assertThatThrownBy(() -> store.read(30, folder -> "")).hasMessageContaining("no complete checkpoint")
                .hasMessageContaining("checkpoint-30");

        store.save(30, folder -> Files.writeString(folder.resolve("state.json"), "thirty"));
        store.delete(10);
        assertThat(store.steps()).containsExactly(20L, 30L);
        String thirty = store.read(30, folder -> Files.readString(folder.resolve("state.json")));
        assertThat(thirty).isEqualTo("thirty");
        assertThat(dir.resolve("checkpoint-10")).doesNotExist();
    }
}
