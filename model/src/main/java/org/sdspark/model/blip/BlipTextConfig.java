package org.sdspark.model.blip;

import org.sdspark.model.diffusers.DiffusersConfig;
import org.sdspark.model.nn.Activations;

/**
 * BLIP's BERT text decoder ({@code text_config}); defaults are transformers' (BLIP base).
 * Generation starts from {@code bosTokenId} ({@code [DEC]}) and ends at {@code sepTokenId}
 * ({@code [SEP]}), which BLIP uses as its end-of-sequence token.
 *
 * @param encoderHiddenSize width of the image embeddings the cross-attention reads
 * @param tieWordEmbeddings whether the LM head's weight is the word embedding matrix when the
 *     checkpoint stores no {@code cls.predictions.decoder.weight}
 */
public record BlipTextConfig(int vocabSize, int hiddenSize, int encoderHiddenSize, int intermediateSize,
                             int numHiddenLayers, int numAttentionHeads, int maxPositionEmbeddings, String hiddenAct,
                             float layerNormEps, int bosTokenId, int padTokenId, int sepTokenId, int eosTokenId,
                             boolean tieWordEmbeddings) {

    public BlipTextConfig {
        BlipConfig.positive("text_config.vocab_size", vocabSize);
        BlipConfig.positive("text_config.hidden_size", hiddenSize);
        BlipConfig.positive("text_config.encoder_hidden_size", encoderHiddenSize);
        BlipConfig.positive("text_config.intermediate_size", intermediateSize);
        BlipConfig.positive("text_config.num_hidden_layers", numHiddenLayers);
        BlipConfig.positive("text_config.num_attention_heads", numAttentionHeads);
        BlipConfig.positive("text_config.max_position_embeddings", maxPositionEmbeddings);
        if (hiddenSize % numAttentionHeads != 0) {
            throw new IllegalArgumentException("text_config.hidden_size " + hiddenSize
                    + " does not split into " + numAttentionHeads + " heads");
        }
        for (int id : new int[] {bosTokenId, padTokenId, sepTokenId}) {
            if (id < 0 || id >= vocabSize) {
                throw new IllegalArgumentException("text_config: token id " + id + " is outside the vocabulary (" + vocabSize + ")");
            }
        }
        Activations.byName(hiddenAct);
    }

    static BlipTextConfig read(DiffusersConfig c, int visionHiddenSize) {
        BlipConfig.ignoreCommon(c);
        c.requireDefault("model_type", "blip_text_model");
        c.requireDefault("is_decoder", true);
        // BlipConfig sets the cross-attention width to the vision width whatever the file says.
        c.ignore("encoder_hidden_size");
        return new BlipTextConfig(
                c.getInt("vocab_size", 30524),
                c.getInt("hidden_size", 768),
                visionHiddenSize,
                c.getInt("intermediate_size", 3072),
                c.getInt("num_hidden_layers", 12),
                c.getInt("num_attention_heads", 8),
                c.getInt("max_position_embeddings", 512),
                c.getString("hidden_act", "gelu"),
                (float) c.getDouble("layer_norm_eps", 1e-12),
                c.getInt("bos_token_id", 30522),
                c.getInt("pad_token_id", 0),
                c.getInt("sep_token_id", 102),
                c.getInt("eos_token_id", 2),
                c.getBoolean("tie_word_embeddings", true));
    }
}
