package org.sdspark.prep.source;

import java.util.ArrayList;
import java.util.List;

/** RFC 4180 CSV: quoted fields may hold commas, doubled quotes and line breaks. */
final class Csv {
    /** One record and the 1-based line on which it starts. */
    record Row(int line, List<String> fields) {}

    private Csv() {}

    /** All records; blank lines are skipped. Throws with the line number on an unterminated quote. */
    static List<Row> parse(String text, String file) throws InvalidSourceException {
        List<Row> rows = new ArrayList<>();
        List<String> fields = new ArrayList<>();
        StringBuilder field = new StringBuilder();
        int line = 1;
        int rowStart = 1;
        boolean quoted = false;
        boolean fieldWasQuoted = false;
        int i = text.startsWith("\uFEFF") ? 1 : 0;
        for (; i < text.length(); i++) {
            char ch = text.charAt(i);
            if (quoted) {
                if (ch == '"') {
                    if (i + 1 < text.length() && text.charAt(i + 1) == '"') {
                        field.append('"');
                        i++;
                    } else {
                        quoted = false;
                    }
                } else {
                    if (ch == '\n') line++;
                    field.append(ch);
                }
            } else if (ch == '"') {
                if (field.length() > 0 || fieldWasQuoted) {
                    throw new InvalidSourceException(file + ":" + line + ": quote inside an unquoted field");
                }
                quoted = true;
                fieldWasQuoted = true;
            } else if (ch == ',') {
                fields.add(field.toString());
                field.setLength(0);
                fieldWasQuoted = false;
            } else if (ch == '\r' || ch == '\n') {
                if (ch == '\r' && i + 1 < text.length() && text.charAt(i + 1) == '\n') i++;
                endRow(rows, fields, field, fieldWasQuoted, rowStart);
                fields = new ArrayList<>();
                fieldWasQuoted = false;
                line++;
                rowStart = line;
            } else {
                if (fieldWasQuoted) {
                    throw new InvalidSourceException(file + ":" + line + ": text after a closing quote");
                }
                field.append(ch);
            }
        }
        if (quoted) throw new InvalidSourceException(file + ":" + rowStart + ": quoted field is never closed");
        endRow(rows, fields, field, fieldWasQuoted, rowStart);
        return rows;
    }

    private static void endRow(List<Row> rows, List<String> fields, StringBuilder field, boolean wasQuoted, int line) {
        if (fields.isEmpty() && field.length() == 0 && !wasQuoted) return;
        fields.add(field.toString());
        field.setLength(0);
        rows.add(new Row(line, List.copyOf(fields)));
    }
}
