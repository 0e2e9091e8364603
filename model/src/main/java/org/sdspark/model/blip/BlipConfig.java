package org.sdspark.model.blip;

import java.nio.file.Path;
import org.sdspark.model.diffusers.DiffusersConfig;

/** A transformers {@code BlipConfig} ({@code config.json} of {@code BlipForConditionalGeneration}). */
public record BlipConfig(BlipTextConfig text, BlipVisionConfig vision) {

    /**
     * Keys every transformers config may carry that do not change what captioning computes:
     * bookkeeping, training settings (dropout, initialisation, loss) and the legacy generation
     * defaults of transformers 4 (generation settings come from the caller, not the checkpoint).
     */
    private static final String[] COMMON = {
        "architectures", "transformers_version", "model_type", "dtype", "torch_dtype", "_name_or_path",
        "return_dict", "output_hidden_states", "output_attentions", "torchscript", "use_bfloat16", "tf_legacy_loss",
        "pruned_heads", "chunk_size_feed_forward", "is_encoder_decoder", "cross_attention_hidden_size",
        "add_cross_attention", "tie_encoder_decoder", "finetuning_task", "id2label", "label2id", "num_labels",
        "tokenizer_class", "prefix", "task_specific_params", "problem_type", "gradient_checkpointing", "use_cache",
        "initializer_range", "initializer_factor", "dropout", "attention_dropout", "hidden_dropout_prob",
        "attention_probs_dropout_prob", "label_smoothing", "projection_dim", "decoder_start_token_id",
        "max_length", "min_length", "do_sample", "early_stopping", "num_beams", "num_beam_groups", "diversity_penalty",
        "temperature", "top_k", "top_p", "typical_p", "repetition_penalty", "length_penalty", "no_repeat_ngram_size",
        "encoder_no_repeat_ngram_size", "bad_words_ids", "num_return_sequences", "output_scores",
        "return_dict_in_generate", "forced_bos_token_id", "forced_eos_token_id", "remove_invalid_values",
        "exponential_decay_length_penalty", "suppress_tokens", "begin_suppress_tokens",
    };

    /**
     * Salesforce/blip-image-captioning-base's shapes: ViT-B/16 at 384 px, a 12-layer BERT-base
     * decoder with 12 heads and the BERT vocabulary plus [DEC] and [ENC] (for benchmarks).
     */
    public static BlipConfig base() {
        return new BlipConfig(
                new BlipTextConfig(30524, 768, 768, 3072, 12, 12, 512, "gelu", 1e-12f, 30522, 0, 102, 2, true),
                new BlipVisionConfig(768, 3072, 12, 12, 384, 16, "gelu", 1e-5f));
    }

    /** Reads {@code config.json}; unsupported options and unknown keys fail naming the file and key. */
    public static BlipConfig read(Path file) {
        DiffusersConfig c = DiffusersConfig.read(file);
        try {
            ignoreCommon(c);
            // Retrieval and VQA heads' sizes: BlipForConditionalGeneration has neither.
            c.ignore("logit_scale_init_value", "image_text_hidden_size", "tie_word_embeddings",
                    "bos_token_id", "eos_token_id", "pad_token_id", "sep_token_id");
            c.requireDefault("model_type", "blip");
            DiffusersConfig visionSection = c.section("vision_config");
            BlipVisionConfig vision = BlipVisionConfig.read(visionSection);
            DiffusersConfig textSection = c.section("text_config");
            BlipTextConfig text = BlipTextConfig.read(textSection, vision.hiddenSize());
            visionSection.rejectUnknownKeys();
            textSection.rejectUnknownKeys();
            c.rejectUnknownKeys();
            return new BlipConfig(text, vision);
        } catch (IllegalArgumentException e) {
            throw c.invalid(e.getMessage());
        }
    }

    static void ignoreCommon(DiffusersConfig c) {
        c.ignore(COMMON);
    }

    static void positive(String key, int value) {
        if (value <= 0) {
            throw new IllegalArgumentException(key + " must be positive, got " + value);
        }
    }
}
