package org.sdspark.jobs.train.distributed;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.IntStream;
import org.apache.spark.HashPartitioner;
import org.apache.spark.api.java.JavaPairRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.rdd.RDD;
import org.apache.spark.sql.SparkSession;
import org.sdspark.jobs.UsageError;
import scala.Tuple2;
import scala.reflect.ClassTag;
import scala.reflect.ClassTag$;

/**
 * Runs a program on N ranks as one Spark barrier stage: N tasks started together (one per GPU
 * where tasks ask for GPUs), each knowing its rank. The stage ends in a shuffle, so it is a
 * shuffle-map stage: when a task dies or an executor is lost, Spark retries the whole stage
 * ({@code spark.stage.maxConsecutiveAttempts} times), where a barrier result stage would abort the
 * job. A retried program resumes from its last checkpoint; the results come back in rank order.
 */
public final class DistributedTraining {

    private DistributedTraining() {
    }

    public static <R extends Serializable> List<R> run(SparkSession spark, DistributedSettings settings, RankProgram<R> program) {
        JavaSparkContext context = JavaSparkContext.fromSparkContext(spark.sparkContext());
        int workers = settings.workers();
        // On a cluster Spark checks the slots itself (and waits for executors); in local mode it would only fail late.
        if (context.master().startsWith("local") && context.defaultParallelism() < workers) {
            throw new UsageError(workers + " workers need " + workers + " task slots at once, but "
                    + context.master() + " has " + context.defaultParallelism() + ": use sdspark.spark.master = \"local["
                    + workers + "]\" or fewer workers");
        }
        RDD<Integer> ranks = context.parallelize(IntStream.range(0, workers).boxed().toList(), workers).rdd();
        ClassTag<Tuple2<Integer, R>> pair = ClassTag$.MODULE$.apply(Tuple2.class);
        RDD<Tuple2<Integer, R>> trained = ranks.barrier().mapPartitions(new RankTask<>(program, settings), false, pair);
        ClassTag<Integer> key = ClassTag$.MODULE$.apply(Integer.class);
        ClassTag<R> value = ClassTag$.MODULE$.apply(Serializable.class);
        List<Tuple2<Integer, R>> results = new ArrayList<>(new JavaPairRDD<>(trained, key, value)
                .partitionBy(new HashPartitioner(1)).collect());
        results.sort(Comparator.comparing(Tuple2::_1));
        return results.stream().map(Tuple2::_2).toList();
    }
}
