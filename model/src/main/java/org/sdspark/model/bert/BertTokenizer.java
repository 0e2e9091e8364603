package org.sdspark.model.bert;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A BERT WordPiece tokenizer read from a Hugging Face {@code tokenizer.json} (what transformers'
 * {@code BertTokenizer} runs): added tokens such as {@code [DEC]} matched first, then
 * {@code BertNormalizer}, {@code BertPreTokenizer}, WordPiece, and {@code [CLS] ... [SEP]} around
 * the result. Decoding joins {@code ##} pieces as tokenizers' WordPiece decoder does, plus
 * transformers' space clean-up when {@code tokenizer_config.json} asks for it.
 */
public final class BertTokenizer {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final List<AddedToken> added;
    private final BertNormalizer normalizer;
    private final WordPiece wordPiece;
    private final List<Integer> prefix;
    private final List<Integer> suffix;
    private final Map<Integer, String> tokens;
    private final boolean decoderCleanup;
    private final boolean cleanUpTokenizationSpaces;
    private final int padId;

    private record AddedToken(String content, int id, boolean special, boolean normalized) {
    }

    private BertTokenizer(List<AddedToken> added, BertNormalizer normalizer, WordPiece wordPiece, List<Integer> prefix,
                          List<Integer> suffix, boolean decoderCleanup, boolean cleanUpTokenizationSpaces, int padId) {
        this.added = added.stream().sorted(Comparator.comparingInt((AddedToken t) -> -t.content().length())).toList();
        this.normalizer = normalizer;
        this.wordPiece = wordPiece;
        this.prefix = List.copyOf(prefix);
        this.suffix = List.copyOf(suffix);
        this.tokens = new HashMap<>();
        wordPiece.vocab().forEach((token, id) -> tokens.put(id, token));
        added.forEach(t -> tokens.put(t.id(), t.content()));
        this.decoderCleanup = decoderCleanup;
        this.cleanUpTokenizationSpaces = cleanUpTokenizationSpaces;
        this.padId = padId;
    }

    /** Reads {@code tokenizer.json} and {@code tokenizer_config.json} (optional) from a model folder. */
    public static BertTokenizer load(Path folder) throws IOException {
        Path file = folder.resolve("tokenizer.json");
        if (!Files.isRegularFile(file)) {
            throw new IOException(folder + ": no tokenizer.json");
        }
        JsonNode root = JSON.readTree(file.toFile());
        Path configFile = folder.resolve("tokenizer_config.json");
        JsonNode config = Files.isRegularFile(configFile) ? JSON.readTree(configFile.toFile()) : JSON.createObjectNode();
        try {
            return parse(root, config);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(file + ": " + e.getMessage(), e);
        }
    }

    private static BertTokenizer parse(JsonNode root, JsonNode config) {
        JsonNode model = root.path("model");
        require(model, "model", "WordPiece");
        Map<String, Integer> vocab = new HashMap<>();
        model.path("vocab").fields().forEachRemaining(e -> vocab.put(e.getKey(), e.getValue().asInt()));
        WordPiece wordPiece = new WordPiece(vocab, model.path("unk_token").asText("[UNK]"),
                model.path("continuing_subword_prefix").asText("##"), model.path("max_input_chars_per_word").asInt(100));

        JsonNode n = root.path("normalizer");
        require(n, "normalizer", "BertNormalizer");
        boolean lowercase = n.path("lowercase").asBoolean(true);
        BertNormalizer normalizer = new BertNormalizer(n.path("clean_text").asBoolean(true),
                n.path("handle_chinese_chars").asBoolean(true),
                n.path("strip_accents").isBoolean() ? n.path("strip_accents").asBoolean() : lowercase, lowercase);
        require(root.path("pre_tokenizer"), "pre_tokenizer", "BertPreTokenizer");
        JsonNode decoder = root.path("decoder");
        require(decoder, "decoder", "WordPiece");
        if (!decoder.path("prefix").asText("##").equals(wordPiece.continuingSubwordPrefix())) {
            throw new IllegalArgumentException("decoder.prefix differs from model.continuing_subword_prefix");
        }

        List<AddedToken> added = new ArrayList<>();
        for (JsonNode t : root.path("added_tokens")) {
            for (String flag : new String[] {"lstrip", "rstrip", "single_word"}) {
                if (t.path(flag).asBoolean(false)) {
                    throw new IllegalArgumentException("added token " + t.path("content") + ": " + flag + " is not supported");
                }
            }
            added.add(new AddedToken(t.path("content").asText(), t.path("id").asInt(), t.path("special").asBoolean(),
                    t.path("normalized").asBoolean(false)));
        }
        Map<String, Integer> ids = new HashMap<>(vocab);
        added.forEach(t -> ids.put(t.content(), t.id()));
        List<Integer> prefix = new ArrayList<>();
        List<Integer> suffix = new ArrayList<>();
        template(root.path("post_processor"), prefix, suffix);
        String pad = config.path("pad_token").asText("[PAD]");
        if (!ids.containsKey(pad)) {
            throw new IllegalArgumentException("pad token " + pad + " is not in the vocabulary");
        }
        return new BertTokenizer(added, normalizer, wordPiece, prefix, suffix, decoder.path("cleanup").asBoolean(true),
                config.path("clean_up_tokenization_spaces").asBoolean(false), ids.get(pad));
    }

    /** The special tokens around a single sequence: TemplateProcessing's "single", or BertProcessing's cls/sep. */
    private static void template(JsonNode p, List<Integer> prefix, List<Integer> suffix) {
        String type = p.path("type").asText();
        if (type.equals("BertProcessing")) {
            prefix.add(p.path("cls").get(1).asInt());
            suffix.add(p.path("sep").get(1).asInt());
            return;
        }
        require(p, "post_processor", "TemplateProcessing");
        boolean afterSequence = false;
        for (JsonNode item : p.path("single")) {
            if (item.has("Sequence")) {
                afterSequence = true;
                continue;
            }
            String token = item.path("SpecialToken").path("id").asText();
            JsonNode special = p.path("special_tokens").path(token).path("ids");
            if (special.isMissingNode() || special.isEmpty()) {
                throw new IllegalArgumentException("post_processor: special token " + token + " has no ids");
            }
            List<Integer> side = afterSequence ? suffix : prefix;
            special.forEach(id -> side.add(id.asInt()));
        }
    }

    private static void require(JsonNode node, String key, String type) {
        if (!type.equals(node.path("type").asText())) {
            throw new IllegalArgumentException(key + ".type is " + node.path("type") + "; only " + type + " is supported");
        }
    }

    /** Token ids with the special tokens around them, as {@code tokenizer(text)["input_ids"]}. */
    public long[] encode(String text) {
        List<Integer> ids = new ArrayList<>(prefix);
        for (Object part : splitOnAdded(text, false)) {
            if (part instanceof AddedToken t) {
                ids.add(t.id());
                continue;
            }
            for (Object piece : splitOnAdded(normalizer.normalize((String) part), true)) {
                if (piece instanceof AddedToken t) {
                    ids.add(t.id());
                } else {
                    BertPreTokenizer.split((String) piece).forEach(word -> wordPiece.tokenize(word, ids));
                }
            }
        }
        ids.addAll(suffix);
        return ids.stream().mapToLong(Integer::longValue).toArray();
    }

    /** Several texts, right-padded to the longest with the pad token; {@code mask} marks real tokens with 1. */
    public Batch encode(List<String> texts) {
        List<long[]> encoded = texts.stream().map(this::encode).toList();
        int length = encoded.stream().mapToInt(e -> e.length).max().orElse(0);
        long[][] ids = new long[texts.size()][length];
        int[][] mask = new int[texts.size()][length];
        for (int i = 0; i < ids.length; i++) {
            long[] row = encoded.get(i);
            java.util.Arrays.fill(ids[i], padId);
            System.arraycopy(row, 0, ids[i], 0, row.length);
            java.util.Arrays.fill(mask[i], 0, row.length, 1);
        }
        return new Batch(ids, mask);
    }

    /** Padded token ids and their attention mask. */
    public record Batch(long[][] ids, int[][] mask) {
    }

    /**
     * The text of {@code ids}, as transformers' {@code decode}: special tokens dropped when asked,
     * {@code ##} pieces joined to the previous token, other tokens separated by a space.
     */
    public String decode(long[] ids, boolean skipSpecialTokens) {
        StringBuilder text = new StringBuilder();
        int index = 0;
        for (long id : ids) {
            String token = tokens.get((int) id);
            if (token == null) {
                throw new IllegalArgumentException("token id " + id + " is not in the vocabulary");
            }
            if (skipSpecialTokens && isSpecial((int) id)) {
                continue;
            }
            String prefixDropped = token.startsWith(wordPiece.continuingSubwordPrefix())
                    ? token.substring(wordPiece.continuingSubwordPrefix().length()) : " " + token;
            String piece = index == 0 ? token : prefixDropped;
            text.append(decoderCleanup ? cleanup(piece, true) : piece);
            index++;
        }
        return cleanUpTokenizationSpaces ? cleanup(text.toString(), false) : text.toString();
    }

    private boolean isSpecial(int id) {
        return added.stream().anyMatch(t -> t.special() && t.id() == id);
    }

    // tokenizers' WordPiece decoder clean-up (per token) and transformers' clean_up_tokenization
    // (on the whole text) differ only in " do not".
    private static String cleanup(String s, boolean decoder) {
        String out = s.replace(" .", ".").replace(" ?", "?").replace(" !", "!").replace(" ,", ",")
                .replace(" ' ", "'").replace(" n't", "n't").replace(" 'm", "'m");
        if (decoder) {
            out = out.replace(" do not", " don't");
        }
        return out.replace(" 's", "'s").replace(" 've", "'ve").replace(" 're", "'re");
    }

    /** Pieces of text and the added tokens between them, leftmost-longest matches first. */
    private List<Object> splitOnAdded(String text, boolean normalized) {
        List<Object> parts = new ArrayList<>();
        int start = 0;
        int i = 0;
        outer:
        while (i < text.length()) {
            for (AddedToken t : added) {
                if (t.normalized() == normalized && text.startsWith(t.content(), i)) {
                    if (i > start) {
                        parts.add(text.substring(start, i));
                    }
                    parts.add(t);
                    i += t.content().length();
                    start = i;
                    continue outer;
                }
            }
            i++;
        }
        if (start < text.length()) {
            parts.add(text.substring(start));
        }
        return parts;
    }
}
