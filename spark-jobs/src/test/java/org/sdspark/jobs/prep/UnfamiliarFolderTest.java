package org.sdspark.jobs.prep;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sdspark.jobs.config.Hocon;

/** A folder as a user might have it: nested, mixed formats, odd names, unicode, junk. */
class UnfamiliarFolderTest {

    @TempDir
    Path dir;

    @Test
    void everyFileEndsUpAcceptedOrRejected() throws IOException {
        Path in = dir.resolve("my photos");
        write(in, "Été 2023/plage #1.jpg", Images.encode(640, 480, 1, "jpg"));
        write(in, "Été 2023/plage #1.txt", "La plage à l'aube 🌅".getBytes(StandardCharsets.UTF_8));
        write(in, "Été 2023/sub dir/深圳 夜景.png", Images.encode(600, 600, 2, "png"));
        write(in, "Été 2023/sub dir/深圳 夜景.caption", "夜の街, néon".getBytes(StandardCharsets.UTF_8));
        write(in, "misc/cat.GIF", Images.encode(512, 512, 3, "gif"));
        write(in, "misc/cat.txt", "a cat".getBytes(StandardCharsets.UTF_8));
        write(in, "misc/old scan (1).bmp", Images.encode(700, 500, 4, "bmp"));
        write(in, "misc/old scan (1).txt", "an old scan".getBytes(StandardCharsets.UTF_8));
        write(in, "misc/100% [final].jpeg", Images.encode(512, 700, 5, "jpg"));
        write(in, "misc/100% [final].txt", "percent".getBytes(StandardCharsets.UTF_8));
        write(in, "misc/notes.md", "# my notes".getBytes(StandardCharsets.UTF_8));
        write(in, ".DS_Store", new byte[] {0, 0, 0, 1, 'B', 'u', 'd', '1'});
        write(in, "misc/empty.jpg", new byte[0]);
        byte[] png = Images.encode(520, 520, 6, "png");
        write(in, "misc/broken.png", Arrays.copyOf(png, png.length / 2));
        write(in, "misc/broken.txt", "cut off".getBytes(StandardCharsets.UTF_8));
        write(in, "misc/no caption.jpg", Images.encode(600, 400, 7, "jpg"));
        write(in, "misc/orphan.txt", "caption without image".getBytes(StandardCharsets.UTF_8));

        String output = dir.resolve("out").toString();
        PrepReport report = PrepRuns.run(dir, "sdspark.prep { inputs = [{ path = " + Hocon.quote(in)
                + " }], output = " + Hocon.quote(output) + " }");

        Map<String, Row> accepted = PrepRuns.accepted(output);
        Map<String, String> rejected = PrepRuns.rejected(output);
        assertThat(relative(accepted.keySet())).containsExactlyInAnyOrder(
                "Été 2023/plage #1.jpg", "Été 2023/sub dir/深圳 夜景.png", "misc/cat.GIF",
                "misc/old scan (1).bmp", "misc/100% [final].jpeg");
        assertThat(accepted.values()).extracting(r -> (String) r.getAs("caption"))
                .contains("La plage à l'aube 🌅", "夜の街, néon");
        Map<String, String> reasons = rejected.entrySet().stream()
                .collect(Collectors.toMap(e -> relative(e.getKey()), Map.Entry::getValue));
        assertThat(reasons).containsEntry("misc/notes.md", "not_an_image")
                .containsEntry(".DS_Store", "not_an_image")
                .containsEntry("misc/empty.jpg", "zero_bytes")
                .containsEntry("misc/broken.png", "truncated")
                .containsEntry("misc/no caption.jpg", "missing_caption")
                .containsEntry("misc/orphan.txt", "not_an_image")
                .hasSize(6);
        assertThat(report.inputs()).isEqualTo(report.accepted() + report.rejected()).isEqualTo(11);
    }

    private static void write(Path root, String relative, byte[] bytes) throws IOException {
        Path file = root.resolve(relative);
        Files.createDirectories(file.getParent());
        Files.write(file, bytes);
    }

    private static Set<String> relative(Set<String> sources) {
        return sources.stream().map(UnfamiliarFolderTest::relative).collect(Collectors.toCollection(HashSet::new));
    }

    private static String relative(String source) {
        String marker = "my photos/";
        return source.substring(source.indexOf(marker) + marker.length());
    }

}
