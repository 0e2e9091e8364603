package org.sdspark.model.vae;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * What latents encoded by a VAE depend on, so that a latent cache can refuse another model:
 * a SHA-256 of the encoder half's weights ({@code encoder.*} and {@code quant_conv.*} by key,
 * shape and float32 value) and of the config values that change the encode without changing a
 * shape, plus the factors that take latents to the UNet's scale. The decoder is left out on
 * purpose: it never touches latents, and VAEs that only fine-tune it (sd-vae-ft-mse) encode
 * exactly as the original does.
 */
public record VaeIdentity(String encoderSha256, double scalingFactor, Double shiftFactor, int latentChannels)
        implements Serializable {

    public static VaeIdentity of(AutoencoderKL vae) {
        VaeConfig config = vae.config();
        MessageDigest sha = sha256();
        sha.update(("norm_num_groups=" + config.normNumGroups() + ";act_fn=" + config.actFn() + ";")
                .getBytes(StandardCharsets.UTF_8));
        Map<String, NDArray> encoderHalf = new TreeMap<>();
        vae.parameters().forEach((key, tensor) -> {
            if (key.startsWith("encoder.") || key.startsWith("quant_conv.")) {
                encoderHalf.put(key, tensor);
            }
        });
        encoderHalf.forEach((key, tensor) -> {
            sha.update((key + tensor.getShape() + "\0").getBytes(StandardCharsets.UTF_8));
            if (tensor.getDataType() == DataType.FLOAT32) {
                sha.update(tensor.toByteBuffer());
            } else {
                try (NDArray wide = tensor.toType(DataType.FLOAT32, false)) {
                    sha.update(wide.toByteBuffer());
                }
            }
        });
        return new VaeIdentity(HexFormat.of().formatHex(sha.digest()), config.scalingFactor(), config.shiftFactor(),
                config.latentChannels());
    }

    /** Why {@code other} cannot stand in for this VAE, or null when it can. */
    public String mismatch(VaeIdentity other) {
        if (!encoderSha256.equals(other.encoderSha256)) {
            return "encoder weights sha256 " + abbreviated(encoderSha256) + " vs " + abbreviated(other.encoderSha256);
        }
        if (scalingFactor != other.scalingFactor || !Objects.equals(shiftFactor, other.shiftFactor)) {
            return "scaling_factor " + scalingFactor + ", shift_factor " + shiftFactor + " vs " + other.scalingFactor
                    + ", " + other.shiftFactor;
        }
        return latentChannels == other.latentChannels ? null
                : "latent_channels " + latentChannels + " vs " + other.latentChannels;
    }

    private static String abbreviated(String hex) {
        return hex.substring(0, Math.min(12, hex.length()));
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
    }
}
