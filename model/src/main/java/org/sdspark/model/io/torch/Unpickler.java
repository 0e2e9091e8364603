package org.sdspark.model.io.torch;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.sdspark.model.io.torch.PickleGlobals.Builder;
import org.sdspark.model.io.torch.PickleGlobals.Global;
import org.sdspark.model.io.torch.PickleGlobals.Recorded;
import org.sdspark.model.io.torch.PickleGlobals.RecordedObject;

/**
 * A restricted unpickler for what {@code torch.save} writes (pickle protocols 2 to 5): the
 * opcodes that build numbers, strings, bytes, tuples (unmodifiable lists), lists, dicts
 * ({@link LinkedHashMap}) and sets, the memo, and persistent ids (torch's storages). A GLOBAL
 * opcode is resolved by {@link PickleGlobals}, never by importing anything; an opcode outside
 * this set (INST, OBJ, the extension registry, protocol 0's text forms) or a global outside the
 * allow-list ends the read with a {@link RefusedPickleException} naming it and its byte offset.
 */
final class Unpickler {
    /** Resolves the persistent id of a BINPERSID opcode: a storage in torch's archives. */
    @FunctionalInterface
    interface PersistentLoader {
        Object load(Object id) throws IOException;
    }

    private static final Object MARK = new Object();

    private final InputStream in;
    private final Path file;
    private final PersistentLoader persistent;
    private final List<Object> stack = new ArrayList<>();
    private final Map<Long, Object> memo = new HashMap<>();
    private long position;
    private long opcodeAt;

    private Unpickler(InputStream in, long startOffset, Path file, PersistentLoader persistent) {
        this.in = in;
        this.position = startOffset;
        this.file = file;
        this.persistent = persistent;
    }

    /** The result of one pickle read from {@code in}; the stream is left just after its STOP opcode. */
    static Object load(InputStream in, Path file, PersistentLoader persistent) throws IOException {
        return new Unpickler(in, 0, file, persistent).run();
    }

    /**
     * One pickle of a sequence, {@code startOffset} bytes into the file (so that errors give file
     * offsets); returns the value and the offset just past it.
     */
    static Loaded loadAt(InputStream in, long startOffset, Path file, PersistentLoader persistent) throws IOException {
        Unpickler u = new Unpickler(in, startOffset, file, persistent);
        Object value = u.run();
        return new Loaded(value, u.position);
    }

    record Loaded(Object value, long end) {
    }

    private Object run() throws IOException {
        while (true) {
            opcodeAt = position;
            int op = u8();
            try {
                if (step(op)) {
                    if (stack.size() != 1) {
                        throw bad("STOP with " + stack.size() + " values on the stack");
                    }
                    return stack.get(0);
                }
            } catch (IllegalArgumentException | ClassCastException | IndexOutOfBoundsException e) {
                throw bad(String.format("opcode 0x%02x: %s", op, e.getMessage()));
            }
        }
    }

    /** Executes one opcode; true on STOP. */
    private boolean step(int op) throws IOException {
        switch (op) {
            case 0x80 -> u8(); // PROTO
            case 0x95 -> i64(); // FRAME: a length hint
            case '.' -> { // STOP
                return true;
            }
            case '(' -> push(MARK);
            case '0' -> pop(); // POP
            case '1' -> popMark(); // POP_MARK
            case '2' -> push(top()); // DUP
            case 'N' -> push(null);
            case 0x88 -> push(Boolean.TRUE);
            case 0x89 -> push(Boolean.FALSE);
            case 'J' -> push((long) i32()); // BININT
            case 'K' -> push((long) u8()); // BININT1
            case 'M' -> push((long) u16()); // BININT2
            case 0x8a -> push(littleEndianInteger(bytes(u8()))); // LONG1
            case 0x8b -> push(littleEndianInteger(bytes(length(u32())))); // LONG4
            case 'G' -> push(Double.longBitsToDouble(Long.reverseBytes(i64()))); // BINFLOAT is big-endian
            case 'X' -> push(utf8(bytes(length(u32())))); // BINUNICODE
            case 0x8c -> push(utf8(bytes(u8()))); // SHORT_BINUNICODE
            case 0x8d -> push(utf8(bytes(length(i64())))); // BINUNICODE8
            // Python 2 str (legacy checkpoints written by Python 2): torch decodes them as ASCII
            case 'T' -> push(new String(bytes(length(u32())), StandardCharsets.ISO_8859_1)); // BINSTRING
            case 'U' -> push(new String(bytes(u8()), StandardCharsets.ISO_8859_1)); // SHORT_BINSTRING
            case 'B' -> push(bytes(length(u32()))); // BINBYTES
            case 'C' -> push(bytes(u8())); // SHORT_BINBYTES
            case 0x8e, 0x96 -> push(bytes(length(i64()))); // BINBYTES8, BYTEARRAY8
            case ')' -> push(tuple(List.of()));
            case 't' -> push(tuple(popMark())); // TUPLE
            case 0x85 -> push(tuple(popN(1))); // TUPLE1
            case 0x86 -> push(tuple(popN(2))); // TUPLE2
            case 0x87 -> push(tuple(popN(3))); // TUPLE3
            case ']' -> push(new ArrayList<>());
            case 'l' -> push(new ArrayList<>(popMark())); // LIST
            case 'a' -> list(top(1)).add(pop()); // APPEND
            case 'e' -> { // APPENDS
                List<Object> items = popMark();
                list(top()).addAll(items);
            }
            case '}' -> push(new LinkedHashMap<>());
            case 'd' -> push(dict(new LinkedHashMap<>(), popMark())); // DICT
            case 's' -> { // SETITEM
                Object value = pop();
                Object key = pop();
                map(top()).put(key, value);
            }
            case 'u' -> { // SETITEMS
                List<Object> items = popMark();
                dict(map(top()), items);
            }
            case 0x8f -> push(new LinkedHashSet<>()); // EMPTY_SET
            case 0x90 -> { // ADDITEMS
                List<Object> items = popMark();
                set(top()).addAll(items);
            }
            case 0x91 -> push(Collections.unmodifiableSet(new LinkedHashSet<>(popMark()))); // FROZENSET
            case 'c' -> push(global(line(), line())); // GLOBAL
            case 0x93 -> { // STACK_GLOBAL
                Object name = pop();
                Object module = pop();
                push(global((String) module, (String) name));
            }
            case 'R', 0x81 -> { // REDUCE, NEWOBJ
                List<Object> args = tuple(pop());
                push(call(pop(), args));
            }
            case 'b' -> build(pop(), top()); // BUILD
            case 'Q' -> push(persistent.load(pop())); // BINPERSID
            case 'q' -> memo.put((long) u8(), top()); // BINPUT
            case 'r' -> memo.put(u32(), top()); // LONG_BINPUT
            case 0x94 -> memo.put((long) memo.size(), top()); // MEMOIZE
            case 'h' -> push(memo(u8())); // BINGET
            case 'j' -> push(memo(u32())); // LONG_BINGET
            default -> throw refused(String.format("opcode 0x%02x%s", op, describe(op)));
        }
        return false;
    }

    private Object global(String module, String name) throws RefusedPickleException {
        return PickleGlobals.lookup(module, name).orElseThrow(() -> refused("global '" + module + "." + name + "'"
                + (module.equals("posix") || module.equals("nt") || module.equals("os") || module.equals("subprocess")
                || module.equals("builtins") ? " (a call that would run code or commands)" : "")));
    }

    private Object call(Object callable, List<Object> args) throws IOException {
        if (callable instanceof Builder b) {
            return b.build().apply(args);
        }
        if (callable instanceof Recorded r) {
            return new RecordedObject(r.name(), args);
        }
        throw bad("calls " + (callable instanceof Global g ? g.name() : describeValue(callable)) + ", which is not callable");
    }

    private void build(Object state, Object target) throws IOException {
        if (target instanceof RecordedObject r) {
            r.state = state;
        } else if (target instanceof Map<?, ?> m && state instanceof Map<?, ?> s) {
            @SuppressWarnings("unchecked")
            Map<Object, Object> into = (Map<Object, Object>) m;
            into.putAll(s);
        } else if (!(target instanceof TorchTensor)) { // a tensor's Python attributes do not change its data
            throw bad("BUILD on " + describeValue(target));
        }
    }

    private String describe(int op) {
        return switch (op) {
            case 'i' -> " (INST: creates an instance of a named class)";
            case 'o' -> " (OBJ: creates an instance of a class)";
            case 0x82, 0x83, 0x84 -> " (EXT: a copyreg extension code)";
            case 'P' -> " (PERSID: a text persistent id, not torch's)";
            case 0x92 -> " (NEWOBJ_EX: creates an instance with keyword arguments)";
            case 0x97, 0x98 -> " (out-of-band buffer)";
            default -> op >= 0x20 && op < 0x7f ? " ('" + (char) op + "', a protocol 0/1 text opcode torch.save does not write)"
                    : " (not a pickle opcode: a corrupt file?)";
        };
    }

    private static String describeValue(Object v) {
        return v == null ? "None" : v.getClass().getSimpleName();
    }

    private RefusedPickleException refused(String what) {
        return new RefusedPickleException(file, "refused to load: its pickle asks for " + what + " at byte " + opcodeAt
                + "; sdspark's unpickler only rebuilds tensors, storages and plain containers, and ran nothing"
                + " (a checkpoint that needs more than that is not a plain state dict: do not load it unless you trust"
                + " where it came from)");
    }

    private TorchCheckpointException bad(String problem) {
        return new TorchCheckpointException(file, "pickle at byte " + opcodeAt + ": " + problem);
    }

    private void push(Object v) {
        stack.add(v);
    }

    private Object pop() throws IOException {
        if (stack.isEmpty() || stack.get(stack.size() - 1) == MARK) {
            throw bad("stack underflow");
        }
        return stack.remove(stack.size() - 1);
    }

    private Object top() throws IOException {
        return top(0);
    }

    /** The value {@code depth} below the top of the stack. */
    private Object top(int depth) throws IOException {
        int i = stack.size() - 1 - depth;
        if (i < 0 || stack.get(i) == MARK) {
            throw bad("stack underflow");
        }
        return stack.get(i);
    }

    private List<Object> popN(int n) throws IOException {
        Object[] out = new Object[n];
        for (int i = n - 1; i >= 0; i--) {
            out[i] = pop();
        }
        return Arrays.asList(out);
    }

    private List<Object> popMark() throws IOException {
        int mark = stack.lastIndexOf(MARK);
        if (mark < 0) {
            throw bad("no MARK on the stack");
        }
        List<Object> items = new ArrayList<>(stack.subList(mark + 1, stack.size()));
        stack.subList(mark, stack.size()).clear();
        return items;
    }

    private Object memo(long index) throws IOException {
        if (!memo.containsKey(index)) {
            throw bad("memo entry " + index + " was never stored");
        }
        return memo.get(index);
    }

    private static List<Object> tuple(Object items) {
        @SuppressWarnings("unchecked")
        List<Object> list = (List<Object>) items;
        return Collections.unmodifiableList(new ArrayList<>(list));
    }

    @SuppressWarnings("unchecked")
    private static List<Object> list(Object v) {
        return (List<Object>) v;
    }

    @SuppressWarnings("unchecked")
    private static Map<Object, Object> map(Object v) {
        return (Map<Object, Object>) v;
    }

    @SuppressWarnings("unchecked")
    private static Set<Object> set(Object v) {
        return (Set<Object>) v;
    }

    private Map<Object, Object> dict(Map<Object, Object> into, List<Object> keysAndValues) throws IOException {
        if (keysAndValues.size() % 2 != 0) {
            throw bad("odd number of items for a dict");
        }
        for (int i = 0; i < keysAndValues.size(); i += 2) {
            into.put(keysAndValues.get(i), keysAndValues.get(i + 1));
        }
        return into;
    }

    private static Object littleEndianInteger(byte[] b) {
        byte[] big = new byte[Math.max(b.length, 1)];
        for (int i = 0; i < b.length; i++) {
            big[b.length - 1 - i] = b[i];
        }
        BigInteger v = new BigInteger(big);
        return v.bitLength() < 64 ? (Object) v.longValue() : v;
    }

    private static String utf8(byte[] b) {
        return new String(b, StandardCharsets.UTF_8);
    }

    private int length(long n) throws IOException {
        if (n < 0 || n > Integer.MAX_VALUE - 8) {
            throw bad("length " + n + " is out of range");
        }
        return (int) n;
    }

    private int u8() throws IOException {
        int b = in.read();
        if (b < 0) {
            throw new EOFException(file + ": the pickle ends at byte " + position + " before its STOP opcode (truncated?)");
        }
        position++;
        return b;
    }

    private int u16() throws IOException {
        return u8() | u8() << 8;
    }

    private int i32() throws IOException {
        return u16() | u16() << 16;
    }

    private long u32() throws IOException {
        return i32() & 0xffffffffL;
    }

    private long i64() throws IOException {
        return u32() | u32() << 32;
    }

    private byte[] bytes(int n) throws IOException {
        byte[] out = in.readNBytes(n);
        position += out.length;
        if (out.length != n) {
            throw new EOFException(file + ": the pickle ends at byte " + position + " inside a " + n + "-byte value (truncated?)");
        }
        return out;
    }

    private String line() throws IOException {
        StringBuilder s = new StringBuilder();
        for (int b = u8(); b != '\n'; b = u8()) {
            s.append((char) b);
            if (s.length() > 1000) {
                throw bad("GLOBAL name longer than 1000 bytes");
            }
        }
        return s.toString();
    }

    static String typeName(Object v) {
        if (v instanceof Collection<?>) {
            return "a " + (v instanceof List<?> ? "list or tuple" : "set");
        }
        return v instanceof Map<?, ?> ? "a dict" : describeValue(v);
    }
}
