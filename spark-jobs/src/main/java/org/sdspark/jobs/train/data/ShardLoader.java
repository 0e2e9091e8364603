package org.sdspark.jobs.train.data;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.hadoop.conf.Configuration;
import org.sdspark.prep.plan.EpochPlanner;
import org.sdspark.prep.plan.MicroBatch;
import org.sdspark.prep.plan.Position;
import org.sdspark.prep.plan.Sample;
import org.sdspark.prep.tensor.TrainingImageTransform;

/**
 * One rank's training steps from a position on, read from the prepared Parquet and turned into
 * tensors ahead of the training loop: a reader thread fetches each micro-batch's image bytes
 * (Hadoop FS, only the pages needed) and hands every image to a small pool that decodes and
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
    private final ParquetImages instanceImages;
    private final ParquetImages classImages;
    private final TrainingImageTransform transform;
    private final ExecutorService pool;
    private final Semaphore permits;
    private final BlockingQueue<Pending> ready = new LinkedBlockingQueue<>();
    private final Thread reader;
    private volatile boolean closed;
    private int held;

    private record Pending(Position position, List<CompletableFuture<TrainingBatch>> batches, Throwable failure) {}

    /**
     * @param classes the prior-preservation images when the planner pairs class images
     * @param threads decode/transform threads
     * @param prefetch micro-batches read ahead beyond the step being trained
     */
    public ShardLoader(EpochPlanner planner, int rank, Position from, PreparedDataset instances,
                       Optional<PreparedDataset> classes, Configuration conf, TrainingImageTransform transform,
                       int threads, int prefetch) {
        if (threads < 1 || prefetch < 1) throw new IllegalArgumentException("threads " + threads + ", prefetch " + prefetch);
        if (classes.isEmpty() && planner.imagesPerExample() == 2) {
            throw new IllegalArgumentException("the plan pairs class images but no class dataset was given");
        }
        this.planner = planner;
        this.instances = instances;
        this.classes = classes.orElse(null);
        this.instanceImages = new ParquetImages(instances, conf);
        this.classImages = classes.map(c -> new ParquetImages(c, conf)).orElse(null);
        this.transform = transform;
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
        List<DatasetRow> instanceRows = new ArrayList<>();
        List<DatasetRow> classRows = new ArrayList<>();
        for (Sample s : micro.samples()) (s.classImage() ? classRows : instanceRows).add(dataset(s).row(s.row()));
        List<byte[]> instanceBytes = instanceImages.read(instanceRows);
        List<byte[]> classBytes = classRows.isEmpty() ? List.of() : classImages.read(classRows);
        List<CompletableFuture<TrainingSample>> samples = new ArrayList<>();
        int i = 0, c = 0;
        for (Sample s : micro.samples()) {
            DatasetRow row = s.classImage() ? classRows.get(c) : instanceRows.get(i);
            byte[] bytes = s.classImage() ? classBytes.get(c++) : instanceBytes.get(i++);
            samples.add(CompletableFuture.supplyAsync(() -> sample(s, row, bytes), pool));
        }
        return CompletableFuture.allOf(samples.toArray(CompletableFuture[]::new)).thenApply(done ->
                new TrainingBatch(micro.epoch(), micro.step(), micro.micro(), samples.stream().map(CompletableFuture::join).toList()));
    }

    private PreparedDataset dataset(Sample s) {
        return s.classImage() ? classes : instances;
    }

    private TrainingSample sample(Sample s, DatasetRow row, byte[] bytes) {
        float[] pixels;
        try {
            pixels = transform.apply(bytes, row.crop(), s.flip());
        } catch (IOException | RuntimeException e) {
            throw new CompletionException(new IOException(dataset(s).root() + ": cannot make training pixels of "
                    + row.describe() + ": " + e.getMessage(), e));
        }
        String caption = s.dropCaption() || row.caption() == null ? "" : row.caption();
        var bucket = row.crop().fit().bucket();
        return new TrainingSample(row.id(), pixels, bucket.width(), bucket.height(), caption, s.flip(), s.dropCaption(),
                s.classImage(), s.index());
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
