package org.sdspark.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;
import jdk.jshell.DeclarationSnippet;
import jdk.jshell.JShell;
import jdk.jshell.Snippet;
import jdk.jshell.SnippetEvent;
import jdk.jshell.SourceCodeAnalysis;
import jdk.jshell.spi.ExecutionControl;
import jdk.jshell.spi.ExecutionControlProvider;
import jdk.jshell.spi.ExecutionEnv;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every Java cell of every notebook compiles, in order, in JShell (the notebooks' kernel is
 * JShell) against the project's classpath and the kernel's own API. Nothing runs: the execution
 * side is a stub, so a notebook that would no longer compile (a renamed class, an import made
 * ambiguous) fails here instead of when someone opens it.
 */
class NotebooksCompileTest {

    private static final Path NOTEBOOKS = Path.of("..", "notebooks");

    static Stream<Path> notebooks() throws IOException {
        try (Stream<Path> files = Files.list(NOTEBOOKS)) {
            List<Path> all = files.filter(p -> p.toString().endsWith(".ipynb")).sorted().toList();
            assertThat(all).isNotEmpty();
            return all.stream();
        }
    }

    @ParameterizedTest
    @MethodSource("notebooks")
    void everyCellCompiles(Path notebook) throws IOException {
        List<String> problems = new ArrayList<>();
        try (JShell shell = JShell.builder().executionEngine(new CompileOnly(), Map.of()).build()) {
            for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
                if (!entry.endsWith("test-classes")) shell.addToClasspath(entry);
            }
            shell.addToClasspath(System.getProperty("notebook.kernel.jar"));
            int cellNumber = 0;
            for (JsonNode cell : new ObjectMapper().readTree(notebook.toFile()).get("cells")) {
                if (!cell.get("cell_type").asText().equals("code")) continue;
                cellNumber++;
                StringBuilder source = new StringBuilder();
                cell.get("source").forEach(line -> source.append(line.asText()));
                compile(shell, notebook.getFileName() + " code cell " + cellNumber, source.toString(), problems);
            }
        }
        assertThat(problems).as(notebook.toString()).isEmpty();
    }

    /** Compiles a cell snippet by snippet, as the kernel feeds JShell; kernel magics (%...) are skipped. */
    private static void compile(JShell shell, String where, String cell, List<String> problems) {
        String rest = cell.lines().filter(l -> !l.stripLeading().startsWith("%")).reduce("", (a, b) -> a + b + "\n");
        SourceCodeAnalysis analysis = shell.sourceCodeAnalysis();
        while (!rest.isBlank()) {
            SourceCodeAnalysis.CompletionInfo info = analysis.analyzeCompletion(rest);
            String snippet = info.completeness().isComplete() ? info.source() : rest;
            for (SnippetEvent e : shell.eval(snippet)) {
                Snippet s = e.snippet();
                if (e.status() == Snippet.Status.REJECTED || e.status() == Snippet.Status.RECOVERABLE_NOT_DEFINED
                        || e.status() == Snippet.Status.RECOVERABLE_DEFINED) {
                    StringBuilder message = new StringBuilder(where + ": " + s.source().strip().lines().findFirst().orElse(""));
                    shell.diagnostics(s).map(d -> d.getMessage(Locale.ROOT)).forEach(m -> message.append("\n    ").append(m));
                    if (s instanceof DeclarationSnippet d) {
                        shell.unresolvedDependencies(d).forEach(u -> message.append("\n    unresolved: ").append(u));
                    }
                    problems.add(message.toString());
                }
            }
            rest = info.completeness().isComplete() ? info.remaining() : "";
        }
    }

    /** An execution engine that loads and runs nothing: every snippet is only compiled. */
    private static final class CompileOnly implements ExecutionControlProvider, ExecutionControl {
        @Override
        public String name() {
            return "compile-only";
        }

        @Override
        public ExecutionControl generate(ExecutionEnv env, Map<String, String> parameters) {
            return this;
        }

        @Override
        public void load(ClassBytecodes[] classes) {
        }

        @Override
        public void redefine(ClassBytecodes[] classes) {
        }

        @Override
        public String invoke(String className, String methodName) {
            return "";
        }

        @Override
        public String varValue(String className, String varName) {
            return "";
        }

        @Override
        public void addToClasspath(String path) {
        }

        @Override
        public Object extensionCommand(String command, Object arg) throws NotImplementedException {
            throw new NotImplementedException(command);
        }

        @Override
        public void stop() {
        }

        @Override
        public void close() {
        }
    }
}
