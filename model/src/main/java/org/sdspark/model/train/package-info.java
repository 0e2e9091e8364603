/**
 * The training core: one parameter tree by checkpoint key, a flat fp32 master buffer that the
 * optimizer, EMA, clipping and the all-reduce work on, the diffusion loss, and the loop
 * ({@link org.sdspark.model.train.TrainingRun}). No Spark, no Hadoop: the data arrives as
 * engine-free {@link org.sdspark.model.train.TrainingBatch}es, gradients meet other processes
 * through a {@link org.sdspark.model.train.Collective}.
 */
package org.sdspark.model.train;
