package org.sdspark.model.pipeline;

import static org.sdspark.model.nn.Constants.scalar;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.sdspark.model.clip.ClipTextModel;
import org.sdspark.model.clip.ClipTokens;
import org.sdspark.model.nn.Constants;
import org.sdspark.model.scheduler.Sampler;
import org.sdspark.model.scheduler.Samplers;
import org.sdspark.model.unet.AddedConditions;
import org.sdspark.model.unet.UNet2DConditionModel;
import org.sdspark.model.vae.AutoencoderKL;

/**
 * Text-to-image as diffusers' StableDiffusionPipeline and StableDiffusionXLPipeline do it: prompt
 * and negative prompt (empty when none) encoded separately; each step runs the UNet on the batch
 * [negative, prompt] and guides {@code uncond + g * (cond - uncond)}; the final latents are
 * divided by the VAE's scaling factor, decoded and mapped to {@code (x / 2 + 0.5).clamp(0, 1)}.
 * SDXL adds the pooled embedding and the micro-conditioning time ids to both halves of the batch;
 * without a negative prompt its unconditional half is zeros (force_zeros_for_empty_prompt).
 *
 * <p>Image i starts from Gaussian noise drawn with seed {@code seed + i} from the engine's
 * generator, which the stochastic samplers' step noise then continues: a seed always gives the
 * same image. Every step's arrays live in a sub-manager closed at the end of the step.
 */
public final class TextToImage {
    private final PipelineConfigs configs;
    private final ClipTextModel textEncoder;
    private final ClipTextModel textEncoder2;
    private final UNet2DConditionModel unet;
    private final AutoencoderKL vae;

    public TextToImage(StableDiffusionPipeline pipeline) {
        this(pipeline.configs(), pipeline.textEncoder(), pipeline.textEncoder2(), pipeline.unet(), pipeline.vae());
    }

    /**
     * Over models other than a loaded pipeline's (a training run's, adapters attached);
     * {@code configs.tokenizer()} encodes prompts.
     */
    public TextToImage(PipelineConfigs configs, ClipTextModel textEncoder, UNet2DConditionModel unet, AutoencoderKL vae) {
        this(configs, textEncoder, null, unet, vae);
    }

    private TextToImage(PipelineConfigs configs, ClipTextModel textEncoder, ClipTextModel textEncoder2,
                        UNet2DConditionModel unet, AutoencoderKL vae) {
        this.configs = configs;
        this.textEncoder = textEncoder;
        this.textEncoder2 = textEncoder2;
        this.unet = unet;
        this.vae = vae;
    }

    /** Generates {@code settings.numImages()} images, one after the other. */
    public List<RgbImage> generate(NDManager manager, GenerationSettings settings, StepListener listener) {
        List<RgbImage> images = new ArrayList<>();
        try (NDManager run = manager.newSubManager()) {
            Conditioning cond = encode(run, settings, false);
            Conditioning uncond = settings.guided() ? encode(run, settings, true) : null;
            for (int i = 0; i < settings.numImages(); i++) {
                try (NDManager one = run.newSubManager();
                     Sampler sampler = Samplers.create(settings.scheduler(), configs.scheduler(), settings.steps(),
                             settings.eta())) {
                    Engine.getInstance().setRandomSeed(settings.seedOf(i));
                    NDArray noise = one.randomNormal(latentShape(settings.height(), settings.width()));
                    int index = i;
                    NDArray latents = denoise(noise, cond, uncond, sampler, settings.guidance(),
                            (step, steps, x) -> listener.stepDone(index, settings.numImages(), step, steps));
                    images.add(toImages(decode(latents)).get(0));
                }
            }
        }
        return images;
    }

    public Shape latentShape(int height, int width) {
        int factor = 1 << (configs.vae().blockOutChannels().size() - 1);
        return new Shape(1, configs.unet().inChannels(), height / factor, width / factor);
    }

    /**
     * The UNet's conditioning on the settings' prompt, or on its negative prompt. The settings'
     * clip-skip counts as A1111 does (1 = the layer diffusers reads by default, 2 = one before it).
     */
    public Conditioning encode(NDManager manager, GenerationSettings settings, boolean negative) {
        String text = negative ? settings.negativePrompt() : settings.prompt();
        int clipSkip = settings.clipSkip() - 1;
        if (textEncoder2 == null) {
            return new Conditioning(encodePrompt(manager, text, clipSkip), null);
        }
        XlPromptEncoder encoder = new XlPromptEncoder(configs, textEncoder, textEncoder2);
        XlPromptEncoder.Embeds embeds;
        if (!negative) {
            embeds = encoder.encode(manager, text, clipSkip);
        } else if (text.isEmpty() && configs.xl().forceZerosForEmptyPrompt()) {
            // an empty negative prompt is the command line's "none", diffusers' negative_prompt=None
            embeds = encoder.zeros(manager);
        } else {
            // diffusers reads a negative prompt at the penultimate layer whatever clip_skip says
            embeds = encoder.encode(manager, text, 0);
        }
        float[] timeIds = settings.micro().timeIds(settings.width(), settings.height());
        return new Conditioning(embeds.promptEmbeds(),
                new AddedConditions(embeds.pooled(), manager.create(timeIds, new Shape(1, timeIds.length))));
    }

    /** The (1, 77, D) embeddings of one prompt; {@code clipSkip} layers skipped from the end (0 = none). */
    public NDArray encodePrompt(NDManager manager, String text, int clipSkip) {
        ClipTokens tokens = configs.tokenizer().encode(text);
        NDArray ids = Constants.of(manager, tokens.longIds()).reshape(1, -1);
        NDArray embeds = textEncoder.encode(ids, clipSkip);
        ids.close();
        return embeds;
    }

    /** A denoising step finished: {@code step} of {@code steps} (1-based), with the latents it made (valid during the call). */
    @FunctionalInterface
    public interface StepDone {
        void accept(int step, int steps, NDArray latents);
    }

    /**
     * Runs the sampler from unit noise {@code noise} (scaled by its initNoiseSigma here) to the
     * final latents, which belong to {@code noise}'s manager. Guidance applies when {@code uncond}
     * is given and {@code guidance > 1}.
     */
    public NDArray denoise(NDArray noise, Conditioning cond, Conditioning uncond, Sampler sampler, double guidance,
                           StepDone done) {
        NDManager caller = noise.getManager();
        boolean guided = uncond != null && guidance > 1;
        Conditioning context = guided ? Conditioning.concat(uncond, cond) : cond;
        NDArray x = noise.mul(scalar(noise, sampler.initNoiseSigma()));
        double[] timesteps = sampler.timesteps();
        try {
            for (int k = 0; k < timesteps.length; k++) {
                try (NDManager step = caller.newSubManager()) {
                    x.attach(step);
                    NDArray input = sampler.scaleModelInput(x, k);
                    NDArray batch = guided ? NDArrays.concat(new NDList(input, input)) : input;
                    NDArray t = scalar(x, timesteps[k]);
                    NDArray out = unet.forward(batch, t, context.promptEmbeds(), context.added())
                            .toType(DataType.FLOAT32, false);
                    NDArray prediction = guided ? guide(out, guidance) : out;
                    NDArray stepNoise = sampler.needsNoise() ? step.randomNormal(x.getShape()) : null;
                    NDArray next = sampler.step(prediction, k, x, stepNoise);
                    next.attach(caller);
                    x = next;
                }
                done.accept(k + 1, timesteps.length, x);
            }
        } finally {
            if (guided) {
                context.close();
            }
        }
        return x;
    }

    private static NDArray guide(NDArray out, double guidance) {
        NDList halves = out.split(2, 0);
        NDArray uncond = halves.get(0);
        return uncond.add(halves.get(1).sub(uncond).mul(scalar(uncond, guidance)));
    }

    /** Latents to images in [0, 1], NCHW: {@code (vae.decode(latents / scaling) / 2 + 0.5).clamp(0, 1)}. */
    public NDArray decode(NDArray latents) {
        NDManager caller = latents.getManager();
        try (NDManager scope = caller.newSubManager()) {
            NDArray z = vae.unscale(latents.toType(DataType.FLOAT32, false));
            z.attach(scope);
            NDArray raw = vae.decode(z);
            NDArray image = raw.toType(DataType.FLOAT32, false);
            image = image.div(scalar(image, 2)).add(scalar(image, 0.5)).clip(0, 1);
            image.attach(caller);
            return image;
        }
    }

    /** (B, 3, H, W) in [0, 1] to one RgbImage per batch entry (NHWC, as diffusers' output_type "np"). */
    public static List<RgbImage> toImages(NDArray images) {
        NDArray nhwc = images.transpose(0, 2, 3, 1);
        Shape s = nhwc.getShape();
        float[] all = nhwc.toFloatArray();
        nhwc.close();
        int h = (int) s.get(1);
        int w = (int) s.get(2);
        int size = h * w * 3;
        List<RgbImage> out = new ArrayList<>();
        for (int b = 0; b < s.get(0); b++) {
            out.add(new RgbImage(h, w, Arrays.copyOfRange(all, b * size, (b + 1) * size)));
        }
        return out;
    }
}
