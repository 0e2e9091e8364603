package org.sdspark.model.train.collective;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BooleanSupplier;

/**
 * The two TCP connections of one rank in a ring: it sends to the next rank and receives from the
 * previous one, in frames tagged with the operation's sequence number (so ranks whose collective
 * calls diverge fail loudly instead of mixing data). Every wait has a deadline and polls the
 * caller's cancellation flag, and every failure names the peer by rank and address.
 *
 * <p>A rank that waits tells the next rank whom it waits for ({@code WAITING} frames, passed down
 * the ring), so when one rank hangs, every rank behind it times out naming that rank rather than
 * its own neighbour, which is only waiting too.
 */
final class RingLinks implements AutoCloseable {
    private static final int MAGIC = 0x5344_5247; // "SDRG"
    private static final int DATA = 1;
    private static final int ABORT = 2;
    private static final int WAITING = 3;
    private static final int HEADER = 16;
    private static final int POLL_MILLIS = 250;
    private static final int STREAM_BUFFER = 1 << 16;

    private final int rank;
    private final Duration timeout;
    private final BooleanSupplier cancelled;
    private final Peer prev;
    private final Peer next;
    private final Socket fromPrev;
    private final Socket toNext;
    private final InputStream in;
    private final OutputStream out;
    private final byte[] inHeader = new byte[HEADER];
    private final byte[] outHeader = new byte[HEADER];
    private final ReentrantLock writing = new ReentrantLock();
    private Peer waitingFor;

    /** A neighbour as errors name it. */
    record Peer(int rank, String address) {
        @Override
        public String toString() {
            return "rank " + rank + " (" + address + ")";
        }
    }

    private RingLinks(int rank, Duration timeout, BooleanSupplier cancelled, Peer prev, Peer next, Socket fromPrev,
                      Socket toNext) throws IOException {
        this.rank = rank;
        this.timeout = timeout;
        this.cancelled = cancelled;
        this.prev = prev;
        this.next = next;
        this.fromPrev = fromPrev;
        this.toNext = toNext;
        this.in = new BufferedInputStream(fromPrev.getInputStream(), STREAM_BUFFER);
        this.out = new BufferedOutputStream(toNext.getOutputStream(), STREAM_BUFFER);
    }

    /**
     * Listens on an ephemeral port of {@code host}, exchanges addresses through {@code rendezvous},
     * connects to the next rank and accepts the previous one. Needs a world of at least two.
     */
    static RingLinks open(Rendezvous rendezvous, String host, Duration timeout, BooleanSupplier cancelled) throws IOException {
        int rank = rendezvous.rank();
        int world = rendezvous.worldSize();
        try (ServerSocket server = new ServerSocket()) {
            server.bind(new InetSocketAddress(0));
            List<String> addresses = rendezvous.allGather(host + ":" + server.getLocalPort());
            Peer next = new Peer((rank + 1) % world, addresses.get((rank + 1) % world));
            Peer prev = new Peer((rank - 1 + world) % world, addresses.get((rank - 1 + world) % world));
            long deadline = System.nanoTime() + timeout.toNanos();
            Socket toNext = connect(rank, world, next, deadline, cancelled, timeout);
            Socket fromPrev = null;
            try {
                fromPrev = accept(server, rank, world, prev, deadline, cancelled, timeout);
                return new RingLinks(rank, timeout, cancelled, prev, next, fromPrev, toNext);
            } catch (IOException | RuntimeException e) {
                toNext.close();
                if (fromPrev != null) {
                    fromPrev.close();
                }
                throw e;
            }
        }
    }

    private static Socket connect(int rank, int world, Peer next, long deadline, BooleanSupplier cancelled, Duration timeout)
            throws IOException {
        int colon = next.address().lastIndexOf(':');
        InetSocketAddress address = new InetSocketAddress(next.address().substring(0, colon),
                Integer.parseInt(next.address().substring(colon + 1)));
        IOException last = null;
        while (System.nanoTime() < deadline && !cancelled.getAsBoolean()) {
            Socket socket = new Socket();
            try {
                socket.connect(address, POLL_MILLIS * 4);
                socket.setTcpNoDelay(true);
                DataOutputStream hello = new DataOutputStream(socket.getOutputStream());
                hello.writeInt(MAGIC);
                hello.writeInt(rank);
                hello.writeInt(world);
                hello.flush();
                return socket;
            } catch (IOException e) {
                socket.close();
                last = e;
                pause();
            }
        }
        throw new CollectiveException("rank " + rank + " could not connect to " + next + " within "
                + TcpRendezvous.seconds(timeout) + (last == null ? " (cancelled)" : ": " + last.getMessage()), last);
    }

    private static Socket accept(ServerSocket server, int rank, int world, Peer prev, long deadline,
                                 BooleanSupplier cancelled, Duration timeout) throws IOException {
        server.setSoTimeout(POLL_MILLIS);
        while (System.nanoTime() < deadline && !cancelled.getAsBoolean()) {
            Socket socket;
            try {
                socket = server.accept();
            } catch (SocketTimeoutException e) {
                continue;
            }
            socket.setSoTimeout((int) Math.max(1, timeout.toMillis()));
            DataInputStream hello = new DataInputStream(socket.getInputStream());
            int magic = hello.readInt();
            int from = hello.readInt();
            int theirWorld = hello.readInt();
            if (magic != MAGIC || from != prev.rank() || theirWorld != world) {
                socket.close();
                throw new CollectiveException("rank " + rank + " expected " + prev + " to connect, but "
                        + socket.getRemoteSocketAddress() + " came as rank " + from + " of " + theirWorld);
            }
            socket.setSoTimeout(POLL_MILLIS);
            socket.setTcpNoDelay(true);
            return socket;
        }
        throw new CollectiveException("rank " + rank + " waited " + TcpRendezvous.seconds(timeout) + " for " + prev
                + " to connect" + (cancelled.getAsBoolean() ? " (cancelled)" : ": it never did"));
    }

    private static void pause() {
        try {
            Thread.sleep(POLL_MILLIS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CollectiveException("interrupted while connecting the ring", e);
        }
    }

    Peer prev() {
        return prev;
    }

    Peer next() {
        return next;
    }

    /** Sends {@code length} bytes of {@code data} to the next rank as operation {@code op}. */
    void send(long op, byte[] data, int length) {
        writing.lock();
        try {
            writeHeader(DATA, op, length);
            out.write(data, 0, length);
            out.flush();
        } catch (IOException e) {
            throw new CollectiveException("rank " + rank + " lost its connection to " + next + " while sending operation "
                    + op + ": " + e.getMessage(), e);
        } finally {
            writing.unlock();
        }
    }

    /** Receives operation {@code op}'s {@code length} bytes from the previous rank into {@code data}. */
    void receive(long op, byte[] data, int length) {
        long deadline = System.nanoTime() + timeout.toNanos();
        waitingFor = prev;
        while (true) {
            readFully(inHeader, HEADER, deadline, op);
            ByteBuffer h = ByteBuffer.wrap(inHeader);
            int kind = h.getInt();
            long theirOp = h.getLong();
            int theirLength = h.getInt();
            if (kind == WAITING || kind == ABORT) {
                byte[] text = new byte[theirLength];
                readFully(text, theirLength, deadline, op);
                if (kind == ABORT) {
                    throw new CollectiveException(new String(text, StandardCharsets.UTF_8));
                }
                waitingFor = new Peer((int) theirOp, new String(text, StandardCharsets.UTF_8));
                continue;
            }
            if (kind != DATA || theirOp != op || theirLength != length) {
                throw new CollectiveException("rank " + rank + " expected operation " + op + " (" + length + " bytes) from "
                        + prev + " but got operation " + theirOp + " (" + theirLength + " bytes): the ranks' collective calls differ");
            }
            readFully(data, length, deadline, op);
            return;
        }
    }

    private void readFully(byte[] into, int length, long deadline, long op) {
        int read = 0;
        while (read < length) {
            try {
                int n = in.read(into, read, length - read);
                if (n < 0) {
                    throw new EOFException();
                }
                read += n;
            } catch (SocketTimeoutException e) {
                if (cancelled.getAsBoolean()) {
                    throw new CollectiveException("rank " + rank + " was cancelled while waiting for " + prev);
                }
                if (System.nanoTime() > deadline) {
                    throw new CollectiveException("rank " + rank + " waited " + TcpRendezvous.seconds(timeout) + " in operation "
                            + op + " for " + waitingFor + (waitingFor.equals(prev) ? "" : ", for which " + prev + " was waiting")
                            + ", and got nothing: that rank hung or is gone");
                }
                tellNextWhomThisRankWaitsFor();
            } catch (EOFException e) {
                throw new CollectiveException(prev + " closed its connection to rank " + rank + " during operation " + op
                        + ": it failed or was stopped", e);
            } catch (IOException e) {
                throw new CollectiveException("rank " + rank + " lost its connection to " + prev + " during operation " + op
                        + ": " + e.getMessage(), e);
            }
        }
    }

    /** Best effort: skipped while a data frame is being written, and a failed write shows up on the next send. */
    private void tellNextWhomThisRankWaitsFor() {
        if (!writing.tryLock()) {
            return;
        }
        try {
            byte[] address = waitingFor.address().getBytes(StandardCharsets.UTF_8);
            writeHeader(WAITING, waitingFor.rank(), address.length);
            out.write(address);
            out.flush();
        } catch (IOException ignored) {
            // the send that follows reports it
        } finally {
            writing.unlock();
        }
    }

    private void writeHeader(int kind, long op, int length) throws IOException {
        ByteBuffer.wrap(outHeader).putInt(kind).putLong(op).putInt(length);
        out.write(outHeader);
    }

    /** Tells the next rank why this run stops (best effort), then closes both connections. */
    void abort(String why) {
        try {
            if (writing.tryLock(POLL_MILLIS, TimeUnit.MILLISECONDS)) { // a send blocked on a hung rank holds it
                try {
                    byte[] text = why.getBytes(StandardCharsets.UTF_8);
                    writeHeader(ABORT, -1, text.length);
                    out.write(text);
                    out.flush();
                } finally {
                    writing.unlock();
                }
            }
        } catch (IOException | RuntimeException ignored) {
            // the next rank may be the one that is gone
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            close();
        }
    }

    @Override
    public void close() {
        try {
            toNext.close();
        } catch (IOException ignored) {
            // closing is all that is left to do
        }
        try {
            fromPrev.close();
        } catch (IOException ignored) {
            // as above
        }
    }
}
