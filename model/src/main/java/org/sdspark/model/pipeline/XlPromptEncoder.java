package org.sdspark.model.pipeline;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.List;
import org.sdspark.model.clip.ClipTextModel;
import org.sdspark.model.clip.ClipTextOutput;
import org.sdspark.model.clip.ClipTokenizer;
import org.sdspark.model.clip.ClipTokens;

/**
 * SDXL's prompt encoding, as StableDiffusionXLPipeline.encode_prompt does it: each tokenizer and
 * text encoder pair reads the prompt, the hidden states of their penultimate layers (before the
 * final layer norm; clip skip counts back from there) are concatenated along the features, and
 * the pooled embedding is the second encoder's projected end-token state.
 */
final class XlPromptEncoder {
    private final ClipTokenizer tokenizer;
    private final ClipTextModel textEncoder;
    private final ClipTokenizer tokenizer2;
    private final ClipTextModel textEncoder2;

    XlPromptEncoder(PipelineConfigs configs, ClipTextModel textEncoder, ClipTextModel textEncoder2) {
        this.tokenizer = configs.tokenizer();
        this.textEncoder = textEncoder;
        this.tokenizer2 = configs.xl().tokenizer2();
        this.textEncoder2 = textEncoder2;
    }

    /** Prompt embeddings (1, 77, D1 + D2) and the pooled embedding (1, projection_dim). */
    record Embeds(NDArray promptEmbeds, NDArray pooled) {
    }

    /**
     * @param clipSkip diffusers' clip_skip: layers skipped before the penultimate one (0 = none).
     *     diffusers reads a negative prompt at the penultimate layer whatever clip_skip says; callers
     *     pass 0 for it to match.
     */
    Embeds encode(NDManager manager, String text, int clipSkip) {
        try (NDManager scope = manager.newSubManager()) {
            ClipTextOutput first = textEncoder.forward(ids(scope, tokenizer, text));
            ClipTextOutput second = textEncoder2.forward(ids(scope, tokenizer2, text));
            NDArray embeds = fromEnd(first.hiddenStates(), clipSkip).concat(fromEnd(second.hiddenStates(), clipSkip), -1);
            NDArray pooled = second.textEmbeds();
            embeds.attach(manager);
            pooled.attach(manager);
            return new Embeds(embeds, pooled);
        }
    }

    /** The unconditional embeddings of force_zeros_for_empty_prompt: zeros of the prompt's shapes. */
    Embeds zeros(NDManager manager) {
        long width = textEncoder.config().hiddenSize() + textEncoder2.config().hiddenSize();
        return new Embeds(manager.zeros(new Shape(1, tokenizer.maxLength(), width), textEncoder2.dataType()),
                manager.zeros(new Shape(1, textEncoder2.config().projectionDim()), textEncoder2.dataType()));
    }

    private static NDArray ids(NDManager scope, ClipTokenizer tokenizer, String text) {
        ClipTokens tokens = tokenizer.encode(text);
        return scope.create(tokens.longIds(), new Shape(1, tokens.ids().length));
    }

    private static NDArray fromEnd(List<NDArray> hiddenStates, int clipSkip) {
        int index = hiddenStates.size() - 2 - clipSkip;
        if (clipSkip < 0 || index < 0) {
            throw new IllegalArgumentException("clip skip " + clipSkip + " reaches before the first of the "
                    + (hiddenStates.size() - 1) + " text encoder layers");
        }
        return hiddenStates.get(index);
    }
}
