package org.sdspark.jobs.train.distributed;

import java.io.Serializable;

/**
 * What every rank of a distributed run executes inside its barrier task (or its process), given
 * where it runs and how it meets the others. Shipped to the executors, so it holds only settings.
 */
@FunctionalInterface
public interface RankProgram<R extends Serializable> extends Serializable {
    R run(RankContext context) throws Exception;
}
