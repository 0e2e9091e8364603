package org.sdspark.jobs.train.distributed;

import ai.djl.Device;
import java.io.IOException;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.function.BooleanSupplier;
import org.apache.spark.BarrierTaskContext;
import org.sdspark.model.train.collective.Communicator;
import scala.Tuple2;
import scala.collection.Iterator;
import scala.jdk.javaapi.CollectionConverters;
import scala.runtime.AbstractFunction1;

/**
 * The body of one barrier task: takes the task's device, meets the other tasks, opens the
 * communicator, runs the rank's program and hands back (rank, result). A failing rank aborts the
 * communicator first, so the others stop at once rather than at their timeout.
 */
final class RankTask<R extends Serializable> extends AbstractFunction1<Iterator<Integer>, Iterator<Tuple2<Integer, R>>>
        implements Serializable {
    private final RankProgram<R> program;
    private final DistributedSettings settings;

    RankTask(RankProgram<R> program, DistributedSettings settings) {
        this.program = program;
        this.settings = settings;
    }

    @Override
    public Iterator<Tuple2<Integer, R>> apply(Iterator<Integer> ignored) {
        BarrierTaskContext context = BarrierTaskContext.get();
        Device device = RankDevice.of(context.resourcesJMap());
        BooleanSupplier cancelled = context::isInterrupted;
        try (BarrierRendezvous rendezvous = new BarrierRendezvous(context, settings.collective().timeout());
             Communicator communicator = settings.backend().open(rendezvous, rendezvous.host(), device,
                     settings.collective(), cancelled)) {
            RankContext rank = new RankContext(rendezvous.rank(), rendezvous.worldSize(), device, communicator, rendezvous,
                    context.stageAttemptNumber(), cancelled);
            R result;
            try {
                result = program.run(rank);
            } catch (RuntimeException | Error e) {
                communicator.abort("rank " + rank.rank() + " failed: " + e);
                throw e;
            } catch (Exception e) {
                communicator.abort("rank " + rank.rank() + " failed: " + e);
                throw new IllegalStateException("rank " + rank.rank() + " failed: " + e.getMessage(), e);
            }
            return CollectionConverters.asScala(List.of(new Tuple2<>(rank.rank(), result)).iterator());
        } catch (IOException e) {
            throw new UncheckedIOException("rank " + context.partitionId() + " could not join the others: " + e.getMessage(), e);
        }
    }
}
