package org.sdspark.model.vae;

import static org.sdspark.model.nn.Constants.scalar;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import org.sdspark.model.diffusers.ComponentFolder;
import org.sdspark.model.diffusers.ResnetOptions;
import org.sdspark.model.nn.Activations;
import org.sdspark.model.nn.Conv2d;
import org.sdspark.model.nn.StateDict;

/**
 * Stable Diffusion's VAE, diffusers' AutoencoderKL: images (B, 3, H, W) in [-1, 1] to a latent
 * distribution at 1/8 size and latents back to images. Scaling the latents for the UNet
 * ({@link #scale}/{@link #unscale}) is separate from encode/decode, as in diffusers.
 * Owns its {@link StateDict}; close the model to free the weights.
 */
public final class AutoencoderKL implements AutoCloseable {
    private static final float RESNET_EPS = 1e-6f;

    private final VaeConfig config;
    private final StateDict weights;
    private final Encoder encoder;
    private final Conv2d quantConv;
    private final Conv2d postQuantConv;
    private final Decoder decoder;

    private AutoencoderKL(VaeConfig config, StateDict weights) {
        this.config = config;
        this.weights = weights;
        var w = weights.root();
        ResnetOptions resnet = new ResnetOptions(config.normNumGroups(), RESNET_EPS, Activations.byName(config.actFn()), 1.0);
        long moments = 2L * config.latentChannels();
        encoder = Encoder.load(w.at("encoder"), config, resnet);
        quantConv = config.useQuantConv() ? Conv2d.load(w.at("quant_conv"), moments, moments, 1, 1, 0) : null;
        postQuantConv = config.usePostQuantConv()
                ? Conv2d.load(w.at("post_quant_conv"), config.latentChannels(), config.latentChannels(), 1, 1, 0) : null;
        decoder = Decoder.load(w.at("decoder"), config, resnet);
    }

    /** Builds and verifies (one error listing every key problem); the model takes ownership of the dict. */
    public static AutoencoderKL from(VaeConfig config, StateDict weights) {
        AutoencoderKL model = new AutoencoderKL(config, weights);
        weights.verify("vae");
        return model;
    }

    /** A diffusers {@code vae/} folder: config.json + diffusion_pytorch_model.safetensors. */
    public static AutoencoderKL load(NDManager manager, Path folder) throws IOException {
        return load(manager, new ComponentFolder(folder));
    }

    /** A diffusers {@code vae/} folder, with the weights file it names (a variant, or .bin). */
    public static AutoencoderKL load(NDManager manager, ComponentFolder folder) throws IOException {
        return folder.load(manager, VaeConfig::read, AutoencoderKL::from);
    }

    /** A freshly initialised model of {@code config} (PyTorch's default init). */
    public static AutoencoderKL random(NDManager manager, VaeConfig config) {
        return from(config, StateDict.random(manager, "random init"));
    }

    /** The same model with its weights cast to {@code type}. */
    public AutoencoderKL toType(DataType type) {
        return from(config, weights.toType(type));
    }

    /** The latent distribution of {@code image} (B, in_channels, H, W); its arrays belong to the image's manager. */
    public LatentDistribution encode(NDArray image) {
        NDManager caller = image.getManager();
        try (NDManager scope = caller.newSubManager()) {
            image.tempAttach(scope);
            NDArray h = encoder.forward(image.toType(dataType(), false));
            NDList meanAndLogvar = (quantConv == null ? h : quantConv.forward(h)).split(2, 1);
            NDArray mean = meanAndLogvar.get(0);
            NDArray logvar = meanAndLogvar.get(1).clip(-30, 20);
            mean.attach(caller);
            logvar.attach(caller);
            return new LatentDistribution(mean, logvar);
        }
    }

    /** Decodes unscaled latents (B, latent_channels, h, w) to images; the result belongs to the latents' manager. */
    public NDArray decode(NDArray latents) {
        NDManager caller = latents.getManager();
        try (NDManager scope = caller.newSubManager()) {
            latents.tempAttach(scope);
            NDArray z = latents.toType(dataType(), false);
            NDArray image = decoder.forward(postQuantConv == null ? z : postQuantConv.forward(z));
            image.attach(caller);
            return image;
        }
    }

    /** Encoder latents to the UNet's scale: (z - shift) * scaling_factor. */
    public NDArray scale(NDArray latents) {
        NDArray shifted = config.shiftFactor() == null ? latents : latents.sub(scalar(latents, config.shiftFactor()));
        return shifted.mul(scalar(shifted, config.scalingFactor()));
    }

    /** The UNet's latents back to the decoder's scale: z / scaling_factor + shift. */
    public NDArray unscale(NDArray latents) {
        NDArray z = latents.div(scalar(latents, config.scalingFactor()));
        return config.shiftFactor() == null ? z : z.add(scalar(z, config.shiftFactor()));
    }

    public VaeConfig config() {
        return config;
    }

    public DataType dataType() {
        return encoder.convIn().weight().getDataType();
    }

    /** Every parameter by its diffusers key, in checkpoint order. */
    public Map<String, NDArray> parameters() {
        return weights.tensors();
    }

    public StateDict stateDict() {
        return weights;
    }

    @Override
    public void close() {
        weights.close();
    }
}
