package org.sdspark.model.clip;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.sdspark.model.diffusers.ConfigException;

/**
 * CLIP's byte-level BPE tokenizer, as transformers' {@code CLIPTokenizer} encodes a prompt for
 * Stable Diffusion ({@code padding="max_length", truncation=True}): start token, the text's
 * tokens (cut so that the end token still fits), end token, then padding to {@link #maxLength()}.
 *
 * <p>Text handling is transformers 5's (its {@code tokenizers}-backed class): special tokens
 * (start, end and the pad token, which SD 2 sets to "!") written exactly in the text are kept
 * whole; the rest is NFC-composed, whitespace-collapsed, lower-cased, split into words and
 * byte-pair encoded. Thread-safe.
 *
 * <p>Tokens added for textual inversion ({@link #withAddedTokens}) are matched whole in the
 * normalised text before it is split into words, as transformers' added tokens are, and take the
 * ids after the vocabulary's.
 */
public final class ClipTokenizer {
    public static final String START_OF_TEXT = "<|startoftext|>";
    public static final String END_OF_TEXT = "<|endoftext|>";
    public static final int DEFAULT_MAX_LENGTH = 77;

    // CLIP's word pattern. Its special-token alternatives are left out: transformers 5 re-splits
    // such a word with GPT-2's pattern, so a special token that survives into the text (one not
    // written exactly, e.g. "<|ENDOFTEXT|>") is ordinary text, "<|" "endoftext" "|>".
    private static final Pattern WORDS = Pattern.compile(
            "'s|'t|'re|'ve|'m|'ll|'d|[\\p{L}]+|[\\p{N}]|[^\\s\\p{L}\\p{N}]+", Pattern.UNICODE_CHARACTER_CLASS);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Map<String, Integer> vocab;
    private final BpeMerges merges;
    private final String padToken;
    private final int maxLength;
    private final List<String> specialTokens;
    private final AddedTokens added;

    private ClipTokenizer(Map<String, Integer> vocab, BpeMerges merges, String padToken, int maxLength, String source) {
        this(vocab, merges, padToken, maxLength, source, AddedTokens.none(vocab.size()));
    }

    private ClipTokenizer(Map<String, Integer> vocab, BpeMerges merges, String padToken, int maxLength, String source,
                          AddedTokens added) {
        for (String token : List.of(START_OF_TEXT, END_OF_TEXT, padToken)) {
            if (!vocab.containsKey(token)) {
                throw new ConfigException(source + ": the vocabulary has no token '" + token + "'");
            }
        }
        if (maxLength < 2) {
            throw new ConfigException(source + ": 'model_max_length' " + maxLength + " leaves no room for the start and end tokens");
        }
        this.vocab = vocab;
        this.merges = merges;
        this.padToken = padToken;
        this.maxLength = maxLength;
        // Longest first, so that a special token never loses to one of its own prefixes.
        this.specialTokens = List.of(START_OF_TEXT, END_OF_TEXT, padToken).stream().distinct()
                .sorted(Comparator.comparingInt(String::length).reversed()).toList();
        this.added = added;
    }

    /**
     * This tokenizer knowing {@code tokens} too, with ids {@code vocabSize() + i} after those already
     * added. A token {@code t} added with {@code t_1, t_2, ...} is a multi-vector embedding's (see
     * {@link #tokenize}).
     */
    public ClipTokenizer withAddedTokens(List<String> tokens) {
        for (String token : tokens) {
            if (vocab.containsKey(token)) {
                throw new IllegalArgumentException("token '" + token + "' is already in the vocabulary; choose another name");
            }
        }
        return new ClipTokenizer(vocab, merges, padToken, maxLength, "", added.with(tokens));
    }

    /** The tokens added so far, in id order. */
    public List<String> addedTokens() {
        return added.tokens();
    }

    /**
     * Reads a diffusers/transformers {@code tokenizer/} folder: vocab.json and merges.txt, or, where
     * they are absent (transformers 5 saves neither), the BPE model of tokenizer.json; the pad
     * token and model_max_length from special_tokens_map.json / tokenizer_config.json when present.
     */
    public static ClipTokenizer load(Path folder) throws IOException {
        Path vocabFile = folder.resolve("vocab.json");
        Path mergesFile = folder.resolve("merges.txt");
        Path tokenizerJson = folder.resolve("tokenizer.json");
        JsonNode config = readOptionalJson(folder.resolve("tokenizer_config.json"));
        JsonNode specials = readOptionalJson(folder.resolve("special_tokens_map.json"));
        String pad = tokenText(specials.get("pad_token"), folder.resolve("special_tokens_map.json"));
        if (pad == null) {
            pad = tokenText(config.get("pad_token"), folder.resolve("tokenizer_config.json"));
        }
        int maxLength = maxLength(config.get("model_max_length"), folder.resolve("tokenizer_config.json"));
        if ((!Files.exists(vocabFile) || !Files.exists(mergesFile)) && Files.exists(tokenizerJson)) {
            TokenizerJson bpe = TokenizerJson.read(tokenizerJson);
            String padToken = pad != null ? pad : bpe.padToken() != null ? bpe.padToken() : END_OF_TEXT;
            return new ClipTokenizer(bpe.vocab(), merges(bpe.merges(), tokenizerJson), padToken, maxLength, tokenizerJson.toString());
        }
        try (InputStream v = open(vocabFile); InputStream m = open(mergesFile)) {
            return read(v, m, pad == null ? END_OF_TEXT : pad, maxLength, folder.toString());
        }
    }

    /** Reads vocab.json and merges.txt contents from any streams (e.g. gzipped); the caller closes them. */
    public static ClipTokenizer read(InputStream vocabJson, InputStream mergesTxt, String padToken, int maxLength, String source)
            throws IOException {
        Map<String, Integer> vocab;
        try {
            vocab = JSON.readValue(vocabJson, new TypeReference<Map<String, Integer>>() { });
        } catch (JacksonException e) {
            throw ConfigException.notJson(source + ": vocab.json (an object of token -> id)", e);
        }
        return new ClipTokenizer(vocab, merges(mergeLines(mergesTxt), source + ": merges.txt"), padToken, maxLength, source);
    }

    private static BpeMerges merges(List<String> merges, Object source) {
        try {
            return BpeMerges.of(merges);
        } catch (IllegalArgumentException e) {
            throw new ConfigException(source + ": " + e.getMessage());
        }
    }

    // merges.txt opens with a "#version" line; the merges follow one per line, highest priority first.
    private static List<String> mergeLines(InputStream mergesTxt) throws IOException {
        List<String> lines = new ArrayList<>();
        BufferedReader reader = new BufferedReader(new InputStreamReader(mergesTxt, StandardCharsets.UTF_8));
        for (String line = reader.readLine(); line != null; line = reader.readLine()) {
            if (!line.isBlank() && !(lines.isEmpty() && line.startsWith("#version"))) {
                lines.add(line);
            }
        }
        return lines;
    }

    private static InputStream open(Path file) throws IOException {
        try {
            return Files.newInputStream(file);
        } catch (NoSuchFileException e) {
            throw new NoSuchFileException(file.toString(), null, "a CLIP tokenizer folder needs this file");
        }
    }

    private static JsonNode readOptionalJson(Path file) throws IOException {
        if (!Files.exists(file)) {
            return JSON.createObjectNode();
        }
        try {
            JsonNode root = JSON.readTree(file.toFile());
            if (root == null || !root.isObject()) {
                throw new ConfigException(file + ": not a JSON object");
            }
            return root;
        } catch (JacksonException e) {
            throw ConfigException.notJson(file, e);
        }
    }

    // transformers writes special tokens either as plain strings or as AddedToken objects.
    private static String tokenText(JsonNode node, Path file) {
        if (node == null || node.isNull()) {
            return null;
        }
        JsonNode text = node.isObject() ? node.get("content") : node;
        if (text == null || !text.isTextual()) {
            throw new ConfigException(file + ": 'pad_token' must be a string or an object with \"content\", not " + node);
        }
        return text.asText();
    }

    private static int maxLength(JsonNode node, Path file) {
        if (node == null || node.isNull()) {
            return DEFAULT_MAX_LENGTH;
        }
        if (!node.canConvertToExactIntegral() || !node.canConvertToInt()) {
            throw new ConfigException(file + ": 'model_max_length' " + node + " is not a usable sequence length");
        }
        return node.asInt();
    }

    /** Padded, truncated ids and attention mask of {@code text}, {@link #maxLength()} long. */
    public ClipTokens encode(String text) {
        int[] ids = new int[maxLength];
        int[] mask = new int[maxLength];
        List<Integer> textIds = tokenIds(text);
        int kept = Math.min(textIds.size(), maxLength - 2);
        ids[0] = bosId();
        for (int i = 0; i < kept; i++) {
            ids[i + 1] = textIds.get(i);
        }
        ids[kept + 1] = eosId();
        Arrays.fill(ids, kept + 2, maxLength, padId());
        Arrays.fill(mask, 0, kept + 2, 1);
        return new ClipTokens(ids, mask);
    }

    /** Ids of the text's tokens, without start/end tokens, padding or truncation. */
    public List<Integer> tokenIds(String text) {
        return tokenize(text).stream().map(this::idOf).toList();
    }

    /**
     * The text's BPE tokens (vocabulary strings, words ending in {@code </w>}), special and added
     * tokens kept whole. A multi-vector added token written in the text stands for all its tokens,
     * as diffusers' pipelines expand it ({@code <tok>} gives {@code <tok> <tok>_1 ...}); write the
     * token alone, not its continuations.
     */
    public List<String> tokenize(String text) {
        List<String> tokens = tokenizeAsWritten(text);
        String expanded = added.expandMultiVector(text, tokens);
        return expanded.equals(text) ? tokens : tokenizeAsWritten(expanded);
    }

    private List<String> tokenizeAsWritten(String text) {
        List<String> tokens = new ArrayList<>();
        int start = 0;
        int pos = 0;
        while (pos < text.length()) {
            String special = specialAt(text, pos);
            if (special == null) {
                pos++;
                continue;
            }
            addWords(text.substring(start, pos), tokens);
            tokens.add(special);
            pos += special.length();
            start = pos;
        }
        addWords(text.substring(start), tokens);
        return tokens;
    }

    private String specialAt(String text, int pos) {
        for (String special : specialTokens) {
            if (text.startsWith(special, pos)) {
                return special;
            }
        }
        return null;
    }

    private void addWords(String text, List<String> tokens) {
        added.split(ClipTextCleaner.clean(text), piece -> {
            Matcher words = WORDS.matcher(piece);
            while (words.find()) {
                tokens.addAll(merges.encode(ByteSymbols.encode(words.group())));
            }
        }, tokens::add);
    }

    // As transformers does, a token missing from the vocabulary (possible only with a vocabulary
    // that lacks some byte symbol) becomes the unknown token, which for CLIP is the end token.
    private int idOf(String token) {
        Integer id = vocab.get(token);
        if (id != null) {
            return id;
        }
        return added.id(token).orElse(eosId());
    }

    public int bosId() {
        return vocab.get(START_OF_TEXT);
    }

    public int eosId() {
        return vocab.get(END_OF_TEXT);
    }

    public int padId() {
        return vocab.get(padToken);
    }

    public String padToken() {
        return padToken;
    }

    public int maxLength() {
        return maxLength;
    }

    /** Tokens of the vocabulary, without added ones. */
    public int vocabSize() {
        return vocab.size();
    }

    /** Tokens of the vocabulary and added ones, as {@code len(tokenizer)}. */
    public int size() {
        return vocab.size() + added.tokens().size();
    }
}
