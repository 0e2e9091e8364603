/**
 * Noise schedulers, behaviour-equal to diffusers.
 *
 * <p>Pure logic (no DJL): {@link org.sdspark.model.scheduler.SchedulerConfig} (a diffusers
 * {@code scheduler_config.json}), {@link org.sdspark.model.scheduler.NoiseSchedule} (betas,
 * alphas_cumprod, SNR, sigmas), {@link org.sdspark.model.scheduler.TimestepSpacing}, and the
 * per-step coefficients of each sampler ({@code DdimSteps}, {@code EulerSteps},
 * {@code DpmSolverSteps}, {@code UniPcSteps}, {@code LcmSteps}, with {@code KarrasSigmas} and
 * {@code MultistepSchedule}) as {@link org.sdspark.model.scheduler.Combination}s of the sample and
 * the model output, or plain weights of the tensors a step mixes.
 *
 * <p>DJL edge: {@link org.sdspark.model.scheduler.Sampler} runs ({@code Samplers.create(name,
 * config, steps)} with a name of {@link org.sdspark.model.scheduler.Samplers#NAMES}, an A1111
 * label or a diffusers class) and {@link org.sdspark.model.scheduler.DdpmScheduler} for training
 * (add_noise, v target, SNR).
 */
package org.sdspark.model.scheduler;
