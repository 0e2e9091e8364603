package org.sdspark.model.pipeline;

import java.util.ArrayList;
import java.util.List;

/** The LoRAs merged into a pipeline and the embeddings added to it, in the order applied. */
public record Adapters(List<Lora> loras, List<Embedding> embeddings) {
    public static final Adapters NONE = new Adapters(List.of(), List.of());

    public record Lora(String file, double scale) {
    }

    public record Embedding(String file, List<String> tokens) {
        public Embedding {
            tokens = List.copyOf(tokens);
        }
    }

    public Adapters {
        loras = List.copyOf(loras);
        embeddings = List.copyOf(embeddings);
    }

    Adapters with(Lora lora) {
        List<Lora> all = new ArrayList<>(loras);
        all.add(lora);
        return new Adapters(all, embeddings);
    }

    Adapters with(Embedding embedding) {
        List<Embedding> all = new ArrayList<>(embeddings);
        all.add(embedding);
        return new Adapters(loras, all);
    }
}
