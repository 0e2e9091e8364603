package org.sdspark.model.pipeline;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.io.IOException;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.sdspark.model.nn.StateDict;
import org.sdspark.model.testing.Fixtures;
import org.sdspark.model.testing.Parity;

/**
 * LoRA/LoCon files of every layout merged into the tiny pipeline against diffusers' pipeline after
 * {@code load_lora_weights} and {@code set_adapters} with the same scales (lora/reference.safetensors,
 * made by make_adapter_fixtures.py): UNet output on fixed inputs and text encoder output of the io prompts.
 * The sdspark-*.safetensors rows are the other direction: files sdspark's writer made
 * (SdsparkWrittenAdapters), loaded there by diffusers. diffusers 0.40 on transformers 5 loads only the
 * mlp layer of that kohya file's text encoder part (its kohya conversion leaves self_attn q/v_proj
 * keys unmatched when a file has no out_proj), so only its UNet output is a reference; the same
 * text encoder adapters in the PEFT file are checked.
 */
class LoraParityTest {
    private static NDManager manager;
    private static StateDict reference;

    @BeforeAll
    static void load() throws IOException {
        manager = NDManager.newBaseManager();
        reference = StateDict.load(manager, Fixtures.path("lora/reference.safetensors"));
    }

    @AfterAll
    static void close() {
        reference.close();
        manager.close();
    }

    @ParameterizedTest(name = "{0} = diffusers'' {1}")
    @CsvSource(delimiter = '|', value = {
        "peft.safetensors:0.7                                  | peft     | true",
        "kohya.safetensors:0.7                                 | kohya    | true",
        "kohya-ldm.safetensors:0.7                             | ldm      | true",
        "locon-kohya.safetensors:1.3                           | locon    | false",
        "locon-peft.safetensors:1.3                            | locon    | false",
        "locon-ldm.safetensors:1.3                             | locon    | false",
        "peft.safetensors:0.7 locon-kohya.safetensors:1.3      | combined | true",
        "sdspark-peft.safetensors:0.9                          | sdspark_peft  | true",
        "sdspark-kohya.safetensors:0.9                         | sdspark_kohya | false",
    })
    void mergedLoraMatchesDiffusers(String files, String expected, boolean textEncoder) throws IOException {
        try (NDManager scope = manager.newSubManager();
             StableDiffusionPipeline pipeline = StableDiffusionPipeline.load(scope, Fixtures.path("tiny-sd"))) {
            for (String fileAndScale : files.split(" +")) {
                String[] parts = fileAndScale.split(":");
                pipeline.fuseLora(Fixtures.path("lora/" + parts[0]), Double.parseDouble(parts[1]));
            }
            Map<String, NDArray> r = reference.tensors();
            NDArray unet = pipeline.unet().forward(r.get("unet.sample"), r.get("unet.timestep"), r.get("unet.encoder_hidden_states"));
            Parity.assertClose(files + " unet", unet, r.get(expected + ".unet"));
            if (textEncoder) {
                NDArray text = pipeline.textEncoder().forward(r.get("text_encoder.input_ids")).lastHiddenState();
                Parity.assertClose(files + " text encoder", text, r.get(expected + ".text_encoder"));
            }
        }
    }
}
