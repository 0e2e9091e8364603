package org.sdspark.model.clip;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sdspark.model.diffusers.ConfigException;

/** CLIP BPE on a hand-made vocabulary of ten merges, every expected id worked out by hand. */
class ClipTokenizerTest {
    private static final String VOCAB = """
            {"!": 0, "l": 1, "o": 2, "w": 3, "e": 4, "r</w>": 5, "lo": 6, "low</w>": 7, "er</w>": 8, "ne": 9,
             "new": 10, "newer</w>": 11, "hi": 12, "hig": 13, "h</w>": 14, "th": 15, "the</w>": 16, "w</w>": 17,
             "n": 18, "t": 19, "h": 20, "i": 21, "g": 22, "e</w>": 23, ",</w>": 24,
             "<|startoftext|>": 25, "<|endoftext|>": 26, "!</w>": 27}
            """;
    private static final String MERGES = """
            #version: 0.2
            l o
            lo w</w>
            e r</w>
            n e
            ne w
            new er</w>
            h i
            hi g
            t h
            th e</w>
            """;
    private static final int BOS = 25;
    private static final int EOS = 26;

    private static ClipTokenizer tokenizer(String pad, int maxLength) throws IOException {
        return ClipTokenizer.read(stream(VOCAB), stream(MERGES), pad, maxLength, "hand-made");
    }

    private static InputStream stream(String text) {
        return new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void mergesByRankUntilNoPairHasOne() throws IOException {
        ClipTokenizer tok = tokenizer(ClipTokenizer.END_OF_TEXT, 77);
        // lower: (l,o) rank 0 before (e,r</w>) rank 2; "lo w" never merges (only "lo w</w>" does)
        // newer: e r</w> -> n e -> ne w -> new er</w>;  high: h i -> hi g, then (hig, h</w>) has no rank
        assertThat(tok.tokenize("lower newer the low high"))
                .containsExactly("lo", "w", "er</w>", "newer</w>", "the</w>", "low</w>", "hig", "h</w>");
        assertThat(tok.tokenIds("lower newer the low high")).containsExactly(6, 3, 8, 11, 16, 7, 13, 14);
    }

    @Test
    void splitsWordsContractionsSingleDigitsAndPunctuationRunsAfterLowerCasing() throws IOException {
        ClipTokenizer tok = tokenizer(ClipTokenizer.END_OF_TEXT, 77);
        assertThat(tok.tokenize("  The DOG's,  12!?\t\n"))
                .containsExactly("the</w>", "d", "o", "g</w>", "'", "s</w>", ",</w>", "1</w>", "2</w>", "!", "?</w>");
        // bytes outside printable Latin-1 map to code points from 256: space is U+0120, é is C3 A9
        assertThat(tok.tokenize("é")).containsExactly("Ã", "©</w>");
        assertThat(ByteSymbols.encode(" \n\u00ad")).isEqualTo("\u0120\u010a\u00c2\u0143");
    }

    @Test
    void normalisesLikeTransformers5() {
        // NFC composes e + combining acute; each capital sigma lower-cases to σ, even word-final
        assertThat(ClipTextCleaner.clean("Cafe\u0301  ΟΔΟΣ\u00a0\tX")).isEqualTo("café οδοσ x");
    }

    @Test
    void aSpecialTokenNotWrittenExactlyIsOrdinaryText() throws IOException {
        assertThat(tokenizer(ClipTokenizer.END_OF_TEXT, 77).tokenize("<|EndOfText|>"))
                .containsExactly("<", "|</w>", "e", "n", "d", "o", "f", "t", "e", "x", "t</w>", "|", "></w>");
    }

    @Test
    void padsWithThePadTokenAndMasksOnlyThePadding() throws IOException {
        ClipTokens sd1 = tokenizer(ClipTokenizer.END_OF_TEXT, 8).encode("the LOW");
        assertThat(sd1.ids()).containsExactly(BOS, 16, 7, EOS, EOS, EOS, EOS, EOS);
        assertThat(sd1.attentionMask()).containsExactly(1, 1, 1, 1, 0, 0, 0, 0);
        assertThat(sd1.length()).isEqualTo(4);
        ClipTokens sd2 = tokenizer("!", 8).encode("the LOW");
        assertThat(sd2.ids()).containsExactly(BOS, 16, 7, EOS, 0, 0, 0, 0);
        assertThat(sd2.longIds()).containsExactly(BOS, 16, 7, EOS, 0, 0, 0, 0);
        assertThat(tokenizer(ClipTokenizer.END_OF_TEXT, 5).encode("").ids()).containsExactly(BOS, EOS, EOS, EOS, EOS);
    }

    @Test
    void truncatesTheTextSoThatTheEndTokenIsLast() throws IOException {
        ClipTokens tokens = tokenizer(ClipTokenizer.END_OF_TEXT, 8).encode("the the the the the the the the the");
        assertThat(tokens.ids()).containsExactly(BOS, 16, 16, 16, 16, 16, 16, EOS);
        assertThat(tokens.attentionMask()).containsOnly(1);
        assertThat(tokenizer(ClipTokenizer.END_OF_TEXT, 77).encode("the ".repeat(100)).ids()[76]).isEqualTo(EOS);
    }

    @Test
    void keepsSpecialTokensWholeIncludingAPadTokenOfOrdinaryText() throws IOException {
        ClipTokenizer sd1 = tokenizer(ClipTokenizer.END_OF_TEXT, 77);
        assertThat(sd1.tokenIds("<|startoftext|>the<|endoftext|>")).containsExactly(BOS, 16, EOS);
        // "!!" is one punctuation word for SD 1; with "!" as the pad token (SD 2) each "!" stands alone
        assertThat(sd1.tokenIds("low!!")).containsExactly(7, 0, 27);
        assertThat(tokenizer("!", 77).tokenIds("low!!")).containsExactly(7, 0, 0);
    }

    @Test
    void addedTokensAreMatchedWholeInTheLowerCasedTextLongestFirstWithIdsAfterTheVocabulary() throws IOException {
        ClipTokenizer tok = tokenizer(ClipTokenizer.END_OF_TEXT, 77).withAddedTokens(java.util.List.of("<low>", "<low>-x", "Sks"));
        assertThat(tok.vocabSize()).isEqualTo(28);
        assertThat(tok.size()).isEqualTo(31);
        assertThat(tok.addedTokens()).containsExactly("<low>", "<low>-x", "Sks");
        // "<low>-x" wins over its prefix "<low>"; added tokens split words ("the<low>" is "the" + "<low>")
        assertThat(tok.tokenize("the<low>-x the <LOW> sks")).containsExactly("the</w>", "<low>-x", "the</w>", "<low>", "Sks");
        assertThat(tok.tokenIds("the<low>-x the <LOW> sks")).containsExactly(16, 29, 16, 28, 30);
        assertThat(tokenizer(ClipTokenizer.END_OF_TEXT, 77).tokenize("<low>")).containsExactly("<</w>", "low</w>", "></w>");
    }

    @Test
    void aMultiVectorTokenWrittenExactlyBringsAllItsVectorsAsDiffusersExpandsIt() throws IOException {
        ClipTokenizer tok = tokenizer(ClipTokenizer.END_OF_TEXT, 77).withAddedTokens(java.util.List.of("<t>", "<t>_1", "<t>_2", "<u>"));
        assertThat(tok.tokenIds("the <t> low <u>")).containsExactly(16, 28, 29, 30, 7, 31);
        // diffusers replaces the token in the raw prompt: a differently cased one is matched but not expanded
        assertThat(tok.tokenIds("the <T>")).containsExactly(16, 28);
    }

    @Test
    void anAddedTokenMustBeNewBlankFreeAndDistinctOnceLowerCased() throws IOException {
        ClipTokenizer tok = tokenizer(ClipTokenizer.END_OF_TEXT, 77);
        assertThatThrownBy(() -> tok.withAddedTokens(java.util.List.of("low</w>")))
                .hasMessageContaining("token 'low</w>' is already in the vocabulary");
        assertThatThrownBy(() -> tok.withAddedTokens(java.util.List.of(" "))).hasMessageContaining("is blank");
        assertThatThrownBy(() -> tok.withAddedTokens(java.util.List.of("<a>")).withAddedTokens(java.util.List.of("<a>")))
                .hasMessageContaining("'<a>' is added twice");
        assertThatThrownBy(() -> tok.withAddedTokens(java.util.List.of("<A>", "<a>")))
                .hasMessageContaining("'<A>' and '<a>' are the same token once lower-cased");
    }

    @Test
    void readsATokenizerFolderWithItsPadTokenAndLength(@TempDir Path dir) throws IOException {
        Files.writeString(dir.resolve("vocab.json"), VOCAB);
        Files.writeString(dir.resolve("merges.txt"), MERGES);
        Files.writeString(dir.resolve("tokenizer_config.json"), """
                {"model_max_length": 6, "pad_token": {"content": "!", "lstrip": false, "__type": "AddedToken"}}
                """);
        ClipTokenizer tok = ClipTokenizer.load(dir);
        assertThat(tok.maxLength()).isEqualTo(6);
        assertThat(tok.vocabSize()).isEqualTo(28);
        assertThat(tok.padToken()).isEqualTo("!");
        assertThat(tok.encode("low").ids()).containsExactly(BOS, 7, EOS, 0, 0, 0);
        Files.writeString(dir.resolve("special_tokens_map.json"), """
                {"bos_token": "<|startoftext|>", "pad_token": "<|endoftext|>"}
                """);
        assertThat(ClipTokenizer.load(dir).padId()).isEqualTo(EOS);
    }

    @Test
    void readsTheBpeModelOfATokenizerJsonWithoutVocabFiles(@TempDir Path dir) throws IOException {
        // tokenizers' layout: specials among added_tokens only, merges as pairs (or, before 0.20, "a b")
        String vocab = VOCAB.replace(", \"<|startoftext|>\": 25, \"<|endoftext|>\": 26", "");
        String pairs = MERGES.lines().skip(1).map(m -> "[\"" + m.replace(" ", "\", \"") + "\"]")
                .collect(java.util.stream.Collectors.joining(", "));
        Files.writeString(dir.resolve("tokenizer.json"), """
                {"added_tokens": [{"id": 25, "content": "<|startoftext|>"}, {"id": 26, "content": "<|endoftext|>"}],
                 "padding": {"pad_token": "!"},
                 "model": {"type": "BPE", "end_of_word_suffix": "</w>", "vocab": %s, "merges": [%s, "z z"]}}
                """.formatted(vocab, pairs));
        ClipTokenizer tok = ClipTokenizer.load(dir);
        assertThat(tok.vocabSize()).isEqualTo(28);
        assertThat(tok.padToken()).isEqualTo("!");
        assertThat(tok.tokenIds("lower newer the low high")).containsExactly(6, 3, 8, 11, 16, 7, 13, 14);
        assertThat(tok.encode("low").ids()).startsWith(BOS, 7, EOS, 0);
        Files.writeString(dir.resolve("tokenizer_config.json"), "{\"pad_token\": \"<|endoftext|>\", \"model_max_length\": 5}");
        assertThat(ClipTokenizer.load(dir).encode("low").ids()).containsExactly(BOS, 7, EOS, EOS, EOS);
    }

    @Test
    void namesTheFileAndKeyOfABadTokenizerJson(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("tokenizer.json");
        Files.writeString(file, "{\"model\": {\"type\": \"WordPiece\", \"vocab\": {}}}");
        assertThatThrownBy(() -> ClipTokenizer.load(dir)).isInstanceOf(ConfigException.class)
                .hasMessage(file + ": 'model.type' is \"WordPiece\", a CLIP tokenizer is \"BPE\"");
        Files.writeString(file, "{\"model\": {\"type\": \"BPE\", \"end_of_word_suffix\": \"</w>\", \"vocab\": {}, \"merges\": [[1]]}}");
        assertThatThrownBy(() -> ClipTokenizer.load(dir)).isInstanceOf(ConfigException.class)
                .hasMessageStartingWith(file + ": 'model.merges' entry 1");
        Files.writeString(file, "{\"model\": {\"type\": \"BPE\",\n \"vocab\": }");
        assertThatThrownBy(() -> ClipTokenizer.load(dir)).isInstanceOf(ConfigException.class)
                .hasMessageStartingWith(file + ": not valid JSON: ").hasMessageContaining("(line 2, column").hasMessageNotContaining("\n");
    }

    @Test
    void namesTheMissingFileOrToken(@TempDir Path dir) throws IOException {
        Files.writeString(dir.resolve("vocab.json"), VOCAB);
        assertThatThrownBy(() -> ClipTokenizer.load(dir))
                .isInstanceOf(NoSuchFileException.class)
                .hasMessageContaining(dir.resolve("merges.txt").toString());
        assertThatThrownBy(() -> tokenizer("<pad>", 77))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("hand-made")
                .hasMessageContaining("'<pad>'");
        assertThatThrownBy(() -> ClipTokenizer.read(stream("[1, 2]"), stream(MERGES), "!", 77, "broken"))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("broken: vocab.json");
    }
}
