package org.sdspark.model.vae;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.io.IOException;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.sdspark.model.nn.StateDict;
import org.sdspark.model.testing.Fixtures;
import org.sdspark.model.testing.Parity;

/** The fixture VAE against diffusers' encode/decode (float64 references); "_odd": a 35x50 image, 5x3 latents. */
class VaeParityTest {

    @ParameterizedTest
    @ValueSource(strings = {"", "_odd"})
    void encodesAndDecodesLikeDiffusers(String suffix) throws IOException {
        try (NDManager m = NDManager.newBaseManager();
             AutoencoderKL vae = AutoencoderKL.load(m, Fixtures.path("tiny-sd/vae"));
             StateDict data = StateDict.load(m, Fixtures.path("io/vae" + suffix + ".safetensors"))) {
            Map<String, NDArray> t = data.tensors();
            LatentDistribution posterior = vae.encode(t.get("image"));
            Parity.assertClose("vae posterior_mean" + suffix, posterior.mean(), t.get("posterior_mean"));
            Parity.assertClose("vae posterior_logvar" + suffix, posterior.logvar(), t.get("posterior_logvar"));
            Parity.assertClose("vae decoded" + suffix, vae.decode(t.get("latents")), t.get("decoded"));
        }
    }
}
