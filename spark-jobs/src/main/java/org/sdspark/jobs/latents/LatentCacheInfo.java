package org.sdspark.jobs.latents;

import com.fasterxml.jackson.core.JsonProcessingException;
import org.sdspark.jobs.ReportJson;
import org.sdspark.model.vae.VaeIdentity;

/**
 * A dataset's {@code latents.json}: what its cached latents were made with, so that training
 * can refuse them when its own VAE, resize filter or flipping differs.
 *
 * @param vae the model setting the cache was made from (informative; the identity decides)
 * @param vaeEncoderSha256 {@link VaeIdentity#encoderSha256()}
 * @param dtype the precision the VAE ran in
 * @param storage the precision the latents are stored in
 * @param flip whether each row also holds its mirror image's latents
 * @param resample the resize filter of the images encoded
 */
public record LatentCacheInfo(String vae, String vaeEncoderSha256, double scalingFactor, Double shiftFactor,
                              int latentChannels, String dtype, String storage, boolean flip, String resample) {
    public static final String FILE = "latents.json";

    public VaeIdentity identity() {
        return new VaeIdentity(vaeEncoderSha256, scalingFactor, shiftFactor, latentChannels);
    }

    public String toJson() {
        return ReportJson.write(this);
    }

    public static LatentCacheInfo fromJson(String json) throws JsonProcessingException {
        return ReportJson.readIgnoringUnknownKeys(json, LatentCacheInfo.class);
    }
}
