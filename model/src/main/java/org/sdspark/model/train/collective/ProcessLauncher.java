package org.sdspark.model.train.collective;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Starts the ranks of a run as JVMs on this host, for machines without Spark (what {@code torchrun}
 * does for PyTorch): {@code ProcessLauncher --nproc N MainClass args...} runs N copies of
 * {@code MainClass} with this JVM's classpath and options, each told {@value #RANK}, {@value #WORLD_SIZE}
 * and {@value #RENDEZVOUS} (where rank 0 listens), which {@link TcpRendezvous#fromEnvironment} reads.
 * When one rank fails the others are stopped; the exit code is the first failure's.
 */
public final class ProcessLauncher {
    public static final String RANK = "SDSPARK_RANK";
    public static final String WORLD_SIZE = "SDSPARK_WORLD_SIZE";
    public static final String RENDEZVOUS = "SDSPARK_RENDEZVOUS";

    private ProcessLauncher() {
    }

    public static void main(String[] args) throws IOException, InterruptedException {
        if (args.length < 3 || !args[0].equals("--nproc")) {
            System.err.println("usage: ProcessLauncher --nproc N MainClass [args...]");
            System.exit(2);
        }
        int world = Integer.parseInt(args[1]);
        System.exit(launch(world, args[2], Arrays.asList(args).subList(3, args.length)));
    }

    static int launch(int world, String mainClass, List<String> args) throws IOException, InterruptedException {
        int port;
        try (ServerSocket probe = new ServerSocket(0)) {
            port = probe.getLocalPort();
        }
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(ManagementFactory.getRuntimeMXBean().getInputArguments());
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), mainClass));
        command.addAll(args);
        List<Process> ranks = new ArrayList<>();
        for (int r = 0; r < world; r++) {
            ProcessBuilder builder = new ProcessBuilder(command).inheritIO();
            builder.environment().put(RANK, String.valueOf(r));
            builder.environment().put(WORLD_SIZE, String.valueOf(world));
            builder.environment().put(RENDEZVOUS, "127.0.0.1:" + port);
            ranks.add(builder.start());
        }
        int exit = 0;
        while (ranks.stream().anyMatch(Process::isAlive)) {
            for (int r = 0; r < world; r++) {
                Process p = ranks.get(r);
                if (!p.isAlive() && p.exitValue() != 0 && exit == 0) {
                    exit = p.exitValue();
                    System.err.println("rank " + r + " exited with " + exit + ": stopping the others");
                    ranks.forEach(Process::destroy);
                }
            }
            ranks.get(0).waitFor(200, TimeUnit.MILLISECONDS);
        }
        for (Process p : ranks) {
            exit = exit != 0 ? exit : p.exitValue();
        }
        return exit;
    }
}
