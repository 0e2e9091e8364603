package org.sdspark.model.vae;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.io.IOException;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.sdspark.model.nn.StateDict;
import org.sdspark.model.testing.Fixtures;
import org.sdspark.model.testing.Parity;

/**
 * The fixture VAEs against diffusers' encode/decode (float64 references); "_odd": a 35x50 image, 5x3
 * latents; "_sdxl": SDXL's configuration (scaling 0.13025, force_upcast), a 48x64 image.
 */
class VaeParityTest {

    @ParameterizedTest
    @CsvSource({"tiny-sd/vae, ''", "tiny-sd/vae, _odd", "tiny-sdxl/vae, _sdxl"})
    void encodesAndDecodesLikeDiffusers(String folder, String suffix) throws IOException {
        try (NDManager m = NDManager.newBaseManager();
             AutoencoderKL vae = AutoencoderKL.load(m, Fixtures.path(folder));
             StateDict data = StateDict.load(m, Fixtures.path("io/vae" + suffix + ".safetensors"))) {
            Map<String, NDArray> t = data.tensors();
            LatentDistribution posterior = vae.encode(t.get("image"));
            Parity.assertClose("vae posterior_mean" + suffix, posterior.mean(), t.get("posterior_mean"));
            Parity.assertClose("vae posterior_logvar" + suffix, posterior.logvar(), t.get("posterior_logvar"));
            Parity.assertClose("vae decoded" + suffix, vae.decode(t.get("latents")), t.get("decoded"));
        }
    }
}
