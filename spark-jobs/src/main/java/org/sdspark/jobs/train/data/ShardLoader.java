package org.sdspark.jobs.train.data;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.sdspark.prep.plan.EpochPlanner;
import org.sdspark.prep.plan.MicroBatch;
import org.sdspark.prep.plan.Position;
import org.sdspark.prep.plan.Sample;

/**
 * One rank's training steps from a position on, read from the prepared Parquet and turned into
 * tensors ahead of the training loop: a reader thread fetches each micro-batch's stored data
 * through its datasets' {@link SampleSource}s (Hadoop FS, only the pages needed: image bytes or
 * cached latents) and hands every image's remaining work to a small pool that decodes and
 * transforms it, so the accelerator does not wait on the CPU.
 *
 * <p>Memory is bounded by {@code accumulation + prefetch} micro-batches: a micro-batch holds a
 * permit from the moment its bytes are read until the step after the one it belongs to is asked
 * for, so at most that many micro-batches of float pixels (3 x H x W x 4 bytes per image) exist,
 * plus one decoded image per pool thread.
 */
public final class ShardLoader implements Iterator<TrainingStep>, AutoCloseable {
    private final EpochPlanner planner;
    private final PreparedDataset instances;
    private final PreparedDataset classes;
    private final SampleSource instanceSource;
    private final SampleSource classSource;
    private final ExecutorService pool;
    private final Semaphore permits;
    private final BlockingQueue<Pending> ready = new LinkedBlockingQueue<>();
    private final Thread reader;
    private volatile boolean closed;
    private int held;

    private record Pending(Position position, List<CompletableFuture<TrainingBatch>> batches, Throwable failure) {}

    /**
     * @param classes the prior-preservation images when the planner pairs class images
     * @param sources how a dataset's rows become samples (pixels or cached latents)
     * @param threads decode/transform threads
     * @param prefetch micro-batches read ahead beyond the step being trained
     */
    public ShardLoader(EpochPlanner planner, int rank, Position from, PreparedDataset instances,
                       Optional<PreparedDataset> classes, Function<PreparedDataset, SampleSource> sources,
                       int threads, int prefetch) {
        if (threads < 1 || prefetch < 1) throw new IllegalArgumentException("threads " + threads + ", prefetch " + prefetch);
        if (classes.isEmpty() && planner.imagesPerExample() == 2) {
            throw new IllegalArgumentException("the plan pairs class images but no class dataset was given");
        }
        this.planner = planner;
        this.instances = instances;
        this.classes = classes.orElse(null);
        this.instanceSource = sources.apply(instances);
        this.classSource = classes.map(sources).orElse(null);
        if (classSource != null && classSource.kind() != instanceSource.kind()) {
            throw new IllegalArgumentException("instance images as " + instanceSource.kind() + " but class images as "
                    + classSource.kind() + ": a batch holds one kind");
        }
        AtomicInteger n = new AtomicInteger();
        this.pool = Executors.newFixedThreadPool(threads, r -> daemon(r, "sdspark-decode-" + n.incrementAndGet()));
        this.permits = new Semaphore(planner.settings().accumulation() + prefetch);
        Iterator<List<MicroBatch>> steps = planner.steps(from, rank);
        this.reader = daemon(() -> readAhead(steps, from), "sdspark-read-rank-" + rank);
        this.reader.start();
    }

    private static Thread daemon(Runnable r, String name) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        return t;
    }

    private void readAhead(Iterator<List<MicroBatch>> steps, Position from) {
        Position position = from;
        try {
            while (!closed) {
                List<CompletableFuture<TrainingBatch>> batches = new ArrayList<>();
                for (MicroBatch micro : steps.next()) {
                    permits.acquire();
                    batches.add(load(micro));
                }
                ready.put(new Pending(position, batches, null));
                position = position.next(planner.stepsPerEpoch());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (IOException | RuntimeException e) {
            ready.add(new Pending(position, List.of(), e));
        }
    }

    private CompletableFuture<TrainingBatch> load(MicroBatch micro) throws IOException {
        List<Sample> instanceSamples = new ArrayList<>();
        List<Sample> classSamples = new ArrayList<>();
        for (Sample s : micro.samples()) (s.classImage() ? classSamples : instanceSamples).add(s);
        List<Callable<SampleSource.Values>> instanceWork = read(instanceSource, instances, instanceSamples);
        List<Callable<SampleSource.Values>> classWork = classSamples.isEmpty() ? List.of() : read(classSource, classes, classSamples);
        List<CompletableFuture<TrainingSample>> samples = new ArrayList<>();
        int i = 0, c = 0;
        for (Sample s : micro.samples()) {
            Callable<SampleSource.Values> work = s.classImage() ? classWork.get(c++) : instanceWork.get(i++);
            DatasetRow row = dataset(s).row(s.row());
            samples.add(CompletableFuture.supplyAsync(() -> sample(s, row, work), pool));
        }
        return CompletableFuture.allOf(samples.toArray(CompletableFuture[]::new)).thenApply(done ->
                new TrainingBatch(micro.epoch(), micro.step(), micro.micro(), samples.stream().map(CompletableFuture::join).toList()));
    }

    private static List<Callable<SampleSource.Values>> read(SampleSource source, PreparedDataset dataset, List<Sample> samples)
            throws IOException {
        List<DatasetRow> rows = new ArrayList<>(samples.size());
        boolean[] flips = new boolean[samples.size()];
        for (int k = 0; k < samples.size(); k++) {
            rows.add(dataset.row(samples.get(k).row()));
            flips[k] = samples.get(k).flip();
        }
        return source.read(rows, flips);
    }

    private PreparedDataset dataset(Sample s) {
        return s.classImage() ? classes : instances;
    }

    private static TrainingSample sample(Sample s, DatasetRow row, Callable<SampleSource.Values> work) {
        SampleSource.Values values;
        try {
            values = work.call();
        } catch (Exception e) {
            throw new CompletionException(e);
        }
        String caption = s.dropCaption() || row.caption() == null ? "" : row.caption();
        return new TrainingSample(row.id(), values.data(), values.channels(), values.width(), values.height(), caption, s.flip(),
                s.dropCaption(), s.classImage(), s.index());
    }

    /** What the samples' values are: pixels or latent moments. */
    public org.sdspark.model.train.TrainingBatch.ImageKind kind() {
        return instanceSource.kind();
    }

    /** Always true: steps continue into the next epochs; the training loop decides when to stop. */
    @Override
    public boolean hasNext() {
        return !closed;
    }

    /** The next step's micro-batches; the previous step's memory is released by this call. */
    @Override
    public TrainingStep next() {
        permits.release(held);
        held = 0;
        Pending p;
        try {
            p = ready.take();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for training data", e);
        }
        held = p.batches().size();
        if (p.failure() != null) throw failure("cannot read training data for step " + p.position(), p.failure());
        List<TrainingBatch> batches = new ArrayList<>();
        for (CompletableFuture<TrainingBatch> f : p.batches()) {
            try {
                batches.add(f.join());
            } catch (CompletionException e) {
                throw failure("step " + p.position(), e.getCause());
            }
        }
        return new TrainingStep(p.position(), batches);
    }

    private static RuntimeException failure(String where, Throwable cause) {
        if (cause instanceof IOException io) return new UncheckedIOException(where + ": " + io.getMessage(), io);
        return new IllegalStateException(where + ": " + cause, cause);
    }

    @Override
    public void close() {
        closed = true;
        reader.interrupt();
        pool.shutdownNow();
        try {
            reader.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
