package org.sdspark.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class MainTest {

    private record Result(int code, String out, String err) {
    }

    private static Result run(String... args) {
        PrintStream out = System.out;
        PrintStream err = System.err;
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        ByteArrayOutputStream e = new ByteArrayOutputStream();
        try {
            System.setOut(new PrintStream(o, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(e, true, StandardCharsets.UTF_8));
            int code = Main.run(List.of(args));
            return new Result(code, o.toString(StandardCharsets.UTF_8), e.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(out);
            System.setErr(err);
        }
    }

    @Test
    void helpListsEveryCommand() {
        Result r = run("--help");
        assertThat(r.code()).isZero();
        for (Command c : Main.COMMANDS) {
            assertThat(r.out()).contains(c.name()).contains(c.summary());
        }
    }

    @Test
    void multiWordCommandsAreFoundAndDocumentTheirOptions() {
        Result r = run("bench", "prep", "--help");
        assertThat(r.code()).isZero();
        assertThat(r.out()).contains("--images").contains("--cores");
        assertThat(run("demo", "--help").out()).contains("--dir");
        assertThat(run("prep", "--help").out()).contains("--config").contains("--set");
    }

    @Test
    void aCommandGroupListsItsCommands() {
        Result r = run("bench", "--help");
        assertThat(r.code()).isZero();
        assertThat(r.out()).contains("bench prep").contains("bench unet").doesNotContain("convert");
        assertThat(run("bench").code()).isEqualTo(2);
    }

    @Test
    void versionIsTheProjectVersion() {
        Result r = run("--version");
        assertThat(r.code()).isZero();
        assertThat(r.out().strip()).matches("sdspark \\d+\\.\\d+\\.\\d+(-SNAPSHOT)?");
        assertThat(run("--help").out()).contains("--version");
    }

    @Test
    void mistakesExitWithUsageCodeAndAMessage() {
        Result unknown = run("prpe");
        assertThat(unknown.code()).isEqualTo(2);
        assertThat(unknown.err()).contains("unknown command 'prpe'");

        Result noConfig = run("prep");
        assertThat(noConfig.code()).isEqualTo(2);
        assertThat(noConfig.err()).contains("needs --config");

        Result badOption = run("bench", "prep", "--images", "many");
        assertThat(badOption.code()).isEqualTo(2);
        assertThat(badOption.err()).contains("--images must be a positive integer");

        Result typo = run("config", "--set", "sdspark.prep.overwrit=true");
        assertThat(typo.code()).isEqualTo(2);
        assertThat(typo.err()).contains("did you mean sdspark.prep.overwrite?");
    }
}
