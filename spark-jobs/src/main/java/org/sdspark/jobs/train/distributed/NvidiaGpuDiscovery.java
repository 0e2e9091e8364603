package org.sdspark.jobs.train.distributed;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.apache.spark.SparkConf;
import org.apache.spark.api.resource.ResourceDiscoveryPlugin;
import org.apache.spark.resource.ResourceInformation;
import org.apache.spark.resource.ResourceRequest;

/**
 * Finds an executor's GPUs with {@code nvidia-smi}, so no discovery script has to be installed on
 * the nodes: {@code spark.resources.discoveryPlugin=org.sdspark.jobs.train.distributed.NvidiaGpuDiscovery}
 * (the class is in the sdspark jar). Answers only for the resource {@code gpu}; for others, or where
 * nvidia-smi is missing, it leaves the request to the next plugin or discovery script.
 */
public final class NvidiaGpuDiscovery implements ResourceDiscoveryPlugin {
    static final List<String> COMMAND = List.of("nvidia-smi", "--query-gpu=index", "--format=csv,noheader");

    @Override
    public Optional<ResourceInformation> discoverResource(ResourceRequest request, SparkConf conf) {
        if (!RankDevice.GPU.equals(request.id().resourceName())) {
            return Optional.empty();
        }
        try {
            Process process = new ProcessBuilder(COMMAND).redirectErrorStream(true).start();
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!process.waitFor(30, TimeUnit.SECONDS) || process.exitValue() != 0) {
                throw new IllegalStateException("nvidia-smi failed: " + output.strip());
            }
            return Optional.of(new ResourceInformation(RankDevice.GPU, indices(output)));
        } catch (IOException e) {
            return Optional.empty(); // no nvidia-smi on this node
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while running nvidia-smi", e);
        }
    }

    /** The GPU indices in nvidia-smi's {@code --format=csv,noheader} output, one per line. */
    static String[] indices(String output) {
        List<String> indices = new ArrayList<>();
        for (String line : output.split("\\R")) {
            String index = line.strip();
            if (index.isEmpty()) {
                continue;
            }
            if (!index.chars().allMatch(Character::isDigit)) {
                throw new IllegalStateException("nvidia-smi printed '" + index + "' where a GPU index was expected");
            }
            indices.add(index);
        }
        return indices.toArray(String[]::new);
    }
}
