package org.sdspark.prep.source;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Hugging Face imagefolder metadata: {@code metadata.jsonl} (one JSON object per line) or
 * {@code metadata.csv} (header row), each row naming a {@code file_name} relative to the folder
 * holding the metadata file. Any malformed row fails the whole plan with file and line.
 */
final class MetadataFile {
    static final String JSONL = "metadata.jsonl";
    static final String CSV = "metadata.csv";
    private static final String FILE_NAME = "file_name";
    private static final ObjectMapper JSON = new ObjectMapper();

    private MetadataFile() {}

    static boolean isMetadata(String fileName) {
        return fileName.equals(JSONL) || fileName.equals(CSV);
    }

    static List<MetadataRow> parse(String path, byte[] bytes, String captionColumn) throws InvalidSourceException {
        String text = new String(bytes, StandardCharsets.UTF_8);
        String folder = Paths.parent(path);
        return Paths.fileName(path).equals(JSONL)
                ? parseJsonl(path, folder, text, captionColumn)
                : parseCsv(path, folder, text, captionColumn);
    }

    private static List<MetadataRow> parseJsonl(String path, String folder, String text, String captionColumn)
            throws InvalidSourceException {
        List<MetadataRow> rows = new ArrayList<>();
        String[] lines = text.split("\r?\n", -1);
        for (int i = 0; i < lines.length; i++) {
            String line = i == 0 && lines[i].startsWith("\uFEFF") ? lines[i].substring(1) : lines[i];
            if (line.isBlank()) continue;
            String origin = path + ":" + (i + 1);
            JsonNode node;
            try {
                node = JSON.readTree(line);
            } catch (JsonProcessingException e) {
                throw new InvalidSourceException(origin + ": invalid JSON: " + e.getOriginalMessage());
            }
            if (node == null || !node.isObject()) throw new InvalidSourceException(origin + ": expected a JSON object");
            JsonNode fileName = node.get(FILE_NAME);
            if (fileName == null || !fileName.isTextual() || fileName.asText().isBlank()) {
                throw new InvalidSourceException(origin + ": missing string field \"" + FILE_NAME + "\"");
            }
            JsonNode caption = node.get(captionColumn);
            if (caption != null && !caption.isNull() && !caption.isValueNode()) {
                throw new InvalidSourceException(origin + ": field \"" + captionColumn + "\" must be a string");
            }
            String captionText = caption == null || caption.isNull() ? null : caption.asText();
            rows.add(new MetadataRow(Paths.resolve(folder, fileName.asText(), origin), captionText,
                    CaptionSource.METADATA_JSONL, origin));
        }
        return rows;
    }

    private static List<MetadataRow> parseCsv(String path, String folder, String text, String captionColumn)
            throws InvalidSourceException {
        List<Csv.Row> records = Csv.parse(text, path);
        if (records.isEmpty()) return List.of();
        List<String> header = records.get(0).fields();
        int fileColumn = header.indexOf(FILE_NAME);
        int captionIndex = header.indexOf(captionColumn);
        if (fileColumn < 0 || captionIndex < 0) {
            throw new InvalidSourceException(path + ":" + records.get(0).line() + ": header " + header
                    + " needs columns \"" + FILE_NAME + "\" and \"" + captionColumn + "\"");
        }
        List<MetadataRow> rows = new ArrayList<>();
        for (Csv.Row r : records.subList(1, records.size())) {
            String origin = path + ":" + r.line();
            if (r.fields().size() != header.size()) {
                throw new InvalidSourceException(origin + ": " + r.fields().size() + " fields, header has " + header.size());
            }
            String fileName = r.fields().get(fileColumn);
            if (fileName.isBlank()) throw new InvalidSourceException(origin + ": empty \"" + FILE_NAME + "\"");
            String caption = r.fields().get(captionIndex);
            rows.add(new MetadataRow(Paths.resolve(folder, fileName, origin), caption.isEmpty() ? null : caption,
                    CaptionSource.METADATA_CSV, origin));
        }
        return rows;
    }
}
