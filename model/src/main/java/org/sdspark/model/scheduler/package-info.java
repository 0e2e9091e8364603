/**
 * Noise schedulers, behaviour-equal to diffusers.
 *
 * <p>Pure logic (no DJL): {@link org.sdspark.model.scheduler.SchedulerConfig} (a diffusers
 * {@code scheduler_config.json}), {@link org.sdspark.model.scheduler.NoiseSchedule} (betas,
 * alphas_cumprod, SNR, sigmas), {@link org.sdspark.model.scheduler.TimestepSpacing}, and the
 * per-step coefficients of each sampler ({@code DdimSteps}, {@code EulerSteps},
 * {@code DpmSolverSteps}) as {@link org.sdspark.model.scheduler.Combination}s of the sample and
 * the model output.
 *
 * <p>DJL edge: {@link org.sdspark.model.scheduler.Sampler} runs ({@code Samplers.create("ddim" |
 * "euler" | "euler-a" | "dpmpp-2m", config, steps)}) and {@link
 * org.sdspark.model.scheduler.DdpmScheduler} for training (add_noise, v target, SNR).
 */
package org.sdspark.model.scheduler;
