package org.sdspark.model.unet;

import ai.djl.ndarray.NDManager;
import java.io.IOException;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.sdspark.model.nn.StateDict;
import org.sdspark.model.testing.Fixtures;
import org.sdspark.model.testing.Parity;

/** The UNets of the committed fixtures against diffusers' outputs (float64 references). */
class UNetParityTest {

    @ParameterizedTest
    @CsvSource({"tiny-sd/unet, io/unet.safetensors, unet sd1", "sd2/unet, io/unet_sd2.safetensors, unet sd2"})
    void matchesDiffusers(String folder, String io, String name) throws IOException {
        try (NDManager m = NDManager.newBaseManager();
             UNet2DConditionModel unet = UNet2DConditionModel.load(m, Fixtures.path(folder));
             StateDict data = StateDict.load(m, Fixtures.path(io))) {
            Map<String, ai.djl.ndarray.NDArray> t = data.tensors();
            for (String suffix : new String[] {"", "_rect"}) {
                var out = unet.forward(t.get("sample" + suffix), t.get("timestep" + suffix), t.get("encoder_hidden_states" + suffix));
                Parity.assertClose(name + " out" + suffix, out, t.get("out" + suffix));
            }
        }
    }

    /** 5x7 latents (the up path upsamples 3x4 to the skip's 5x7) at one fractional timestep for the batch. */
    @ParameterizedTest
    @CsvSource({"tiny-sd/unet, io/unet_odd.safetensors, unet sd1", "sd2/unet, io/unet_sd2_odd.safetensors, unet sd2"})
    void matchesDiffusersAtOddSizes(String folder, String io, String name) throws IOException {
        try (NDManager m = NDManager.newBaseManager();
             UNet2DConditionModel unet = UNet2DConditionModel.load(m, Fixtures.path(folder));
             StateDict data = StateDict.load(m, Fixtures.path(io))) {
            Map<String, ai.djl.ndarray.NDArray> t = data.tensors();
            var out = unet.forward(t.get("sample"), t.get("timestep"), t.get("encoder_hidden_states"));
            Parity.assertClose(name + " out 5x7 t=651.5", out, t.get("out"));
        }
    }
}
