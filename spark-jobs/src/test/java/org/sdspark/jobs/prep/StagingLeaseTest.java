package org.sdspark.jobs.prep;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sdspark.jobs.config.Hocon;

/** Staging folders of killed runs are removed by the next run of the same output; live ones are not. */
class StagingLeaseTest {

    @TempDir
    Path dir;

    private static final Duration SILENCE = StagingLease.SILENCE;

    @Test
    void deathIsJudgedByProcessOnThisHostAndByHeartbeatElsewhere() throws Exception {
        Instant now = Instant.now();
        StagingOwner self = StagingOwner.ofThisProcess();
        assertThat(StagingOwner.parse(self.text())).contains(self);
        assertThat(StagingOwner.deadBecause(Optional.of(self), now.minus(Duration.ofHours(5)), now, SILENCE))
                .as("alive here, however long quiet").isEmpty();

        long ended = endedProcessId();
        StagingOwner killed = new StagingOwner(self.host(), ended, now.minusSeconds(60));
        assertThat(StagingOwner.deadBecause(Optional.of(killed), now, now, SILENCE)).hasValueSatisfying(
                why -> assertThat(why).isEqualTo("its process " + ended + " has ended"));
        StagingOwner reused = new StagingOwner(self.host(), self.pid(), self.started().minus(Duration.ofHours(1)));
        assertThat(StagingOwner.deadBecause(Optional.of(reused), now, now, SILENCE)).hasValueSatisfying(
                why -> assertThat(why).contains("now belongs to a process started"));

        StagingOwner remote = new StagingOwner("another-host", 1, now.minus(Duration.ofHours(2)));
        assertThat(StagingOwner.deadBecause(Optional.of(remote), now.minusSeconds(30), now, SILENCE)).isEmpty();
        assertThat(StagingOwner.deadBecause(Optional.of(remote), now.minus(Duration.ofMinutes(11)), now, SILENCE))
                .hasValueSatisfying(why -> assertThat(why).startsWith("its owner on another-host last beat 11 min ago"));
        assertThat(StagingOwner.deadBecause(Optional.empty(), now.minus(Duration.ofMinutes(11)), now, SILENCE)).isPresent();
        assertThat(StagingOwner.deadBecause(Optional.empty(), now.minusSeconds(5), now, SILENCE)).isEmpty();
        assertThat(StagingOwner.parse("not an owner file")).isEmpty();
    }

    @Test
    void aRunRemovesTheLeftoversOfDeadRunsOfItsOutputOnly() throws Exception {
        Path input = dir.resolve("in");
        Files.createDirectories(input);
        Files.write(input.resolve("a.jpg"), Images.encode(512, 512, 1, "jpg"));
        Files.writeString(input.resolve("a.txt"), "a picture");
        Path output = dir.resolve("prepared");
        Instant hourAgo = Instant.now().minus(Duration.ofHours(1));
        StagingOwner self = StagingOwner.ofThisProcess();

        Path killed = staging(".prepared.sdspark-killed01", new StagingOwner(self.host(), endedProcessId(), Instant.now()), null);
        Path live = staging(".prepared.sdspark-live0001", self, null);
        Path legacyOld = staging(".prepared.sdspark-legacy01", null, hourAgo);
        Path legacyNew = staging(".prepared.sdspark-legacy02", null, null);
        Path remoteOld = staging(".prepared.sdspark-remote01", new StagingOwner("another-host", 7, hourAgo), hourAgo);
        Path remoteNew = staging(".prepared.sdspark-remote02", new StagingOwner("another-host", 7, hourAgo), null);
        Path otherOutput = staging(".elsewhere.sdspark-killed01", null, hourAgo);

        PrepRuns.run(dir, "sdspark.prep { inputs = [{ path = " + Hocon.quote(input) + " }], output = "
                + Hocon.quote(output) + " }");

        assertThat(killed).doesNotExist();
        assertThat(legacyOld).doesNotExist();
        assertThat(remoteOld).doesNotExist();
        assertThat(live).exists();
        assertThat(legacyNew).exists();
        assertThat(remoteNew).exists();
        assertThat(otherOutput).exists();
        assertThat(output.resolve(OutputCommit.SUCCESS)).exists();
        assertThat(output.resolve(StagingOwner.FILE)).as("the lease goes before the folder becomes the output").doesNotExist();
        try (Stream<Path> siblings = Files.list(dir)) {
            assertThat(siblings.map(p -> p.getFileName().toString()).filter(n -> n.startsWith(".prepared.sdspark-")))
                    .as("this run's own staging folder became the output")
                    .containsExactlyInAnyOrder(live.getFileName().toString(), legacyNew.getFileName().toString(),
                            remoteNew.getFileName().toString());
        }
    }

    /** A staging folder with some written data, an owner file unless null, everything dated {@code at} unless null. */
    private Path staging(String name, StagingOwner owner, Instant at) throws IOException {
        Path folder = dir.resolve(name);
        Files.createDirectories(folder.resolve("accepted"));
        Files.write(folder.resolve("accepted/part-00000.parquet"), new byte[1024]);
        if (owner != null) Files.writeString(folder.resolve(StagingOwner.FILE), owner.text(), StandardCharsets.UTF_8);
        if (at != null) {
            try (Stream<Path> all = Files.walk(folder)) {
                for (Path p : all.toList()) Files.setLastModifiedTime(p, FileTime.from(at));
            }
        }
        return folder;
    }

    private static long endedProcessId() throws IOException, InterruptedException {
        Process p = new ProcessBuilder("true").start();
        p.waitFor();
        return p.pid();
    }
}
