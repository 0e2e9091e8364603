package org.sdspark.model.vae;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.io.IOException;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.sdspark.model.nn.StateDict;
import org.sdspark.model.testing.Fixtures;
import org.sdspark.model.testing.Parity;

/** The fixture VAE against diffusers' encode/decode (float64 references). */
class VaeParityTest {

    @Test
    void encodesAndDecodesLikeDiffusers() throws IOException {
        try (NDManager m = NDManager.newBaseManager();
             AutoencoderKL vae = AutoencoderKL.load(m, Fixtures.path("tiny-sd/vae"));
             StateDict data = StateDict.load(m, Fixtures.path("io/vae.safetensors"))) {
            Map<String, NDArray> t = data.tensors();
            LatentDistribution posterior = vae.encode(t.get("image"));
            Parity.assertClose("vae posterior_mean", posterior.mean(), t.get("posterior_mean"));
            Parity.assertClose("vae posterior_logvar", posterior.logvar(), t.get("posterior_logvar"));
            Parity.assertClose("vae decoded", vae.decode(t.get("latents")), t.get("decoded"));
        }
    }
}
