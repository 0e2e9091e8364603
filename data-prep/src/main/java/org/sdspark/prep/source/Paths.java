package org.sdspark.prep.source;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Locale;

/** '/'-separated relative paths inside an input tree. */
final class Paths {
    private Paths() {}

    static String parent(String path) {
        int slash = path.lastIndexOf('/');
        return slash < 0 ? "" : path.substring(0, slash);
    }

    static String fileName(String path) {
        return path.substring(path.lastIndexOf('/') + 1);
    }

    /** Lower-case extension with its dot (".jpg"), or "" when the name has none. */
    static String extension(String path) {
        String name = fileName(path);
        int dot = name.lastIndexOf('.');
        return dot <= 0 ? "" : name.substring(dot).toLowerCase(Locale.ROOT);
    }

    /** The path without its extension: "a/b/x.png" -> "a/b/x". */
    static String stem(String path) {
        String name = fileName(path);
        int dot = name.lastIndexOf('.');
        return dot <= 0 ? path : path.substring(0, path.length() - name.length() + dot);
    }

    static String topFolder(String path) {
        int slash = path.indexOf('/');
        return slash < 0 ? null : path.substring(0, slash);
    }

    static boolean isHidden(String path) {
        for (String segment : path.split("/")) {
            if (segment.startsWith(".")) return true;
        }
        return false;
    }

    /** {@code name} taken relative to {@code folder}, with "." and ".." folded; it may not leave the tree. */
    static String resolve(String folder, String name, String origin) throws InvalidSourceException {
        Deque<String> parts = new ArrayDeque<>();
        String joined = folder.isEmpty() ? name : folder + "/" + name;
        for (String segment : joined.split("/")) {
            if (segment.isEmpty() || segment.equals(".")) continue;
            if (segment.equals("..")) {
                if (parts.isEmpty()) throw new InvalidSourceException(origin + ": \"" + name + "\" points outside the input");
                parts.removeLast();
            } else {
                parts.addLast(segment);
            }
        }
        return String.join("/", parts);
    }
}
