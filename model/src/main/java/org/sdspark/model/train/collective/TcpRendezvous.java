package org.sdspark.model.train.collective;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;

/**
 * A rendezvous for processes started without Spark (one JVM per GPU on one host, or on hosts that
 * can reach rank 0): rank 0 listens on a known address, every other rank connects to it and sends
 * its message, and rank 0 answers each with all of them. Ranks may start in any order; a rank that
 * does not arrive within the timeout fails the round with an error naming it.
 */
public final class TcpRendezvous implements Rendezvous, AutoCloseable {
    private static final int MAGIC = 0x5344_5250; // "SDRP"
    private static final int POLL_MILLIS = 200;

    private final int rank;
    private final int worldSize;
    private InetSocketAddress root;
    private final Duration timeout;
    private final ServerSocket server;
    private int round;

    /**
     * @param root where rank 0 listens; rank 0 binds its port on every interface (port 0: a free one,
     *             which {@link #address()} then tells, for the other ranks)
     */
    public TcpRendezvous(int rank, int worldSize, InetSocketAddress root, Duration timeout) throws IOException {
        if (worldSize < 1 || rank < 0 || rank >= worldSize) {
            throw new IllegalArgumentException("rank " + rank + " of " + worldSize);
        }
        this.rank = rank;
        this.worldSize = worldSize;
        this.root = root;
        this.timeout = timeout;
        if (rank == 0) {
            server = new ServerSocket();
            server.setReuseAddress(true);
            server.bind(new InetSocketAddress(root.getPort()));
            server.setSoTimeout(POLL_MILLIS);
            this.root = new InetSocketAddress(root.getHostString(), server.getLocalPort());
        } else {
            server = null;
        }
    }

    /** The rendezvous of a process started by {@link ProcessLauncher}, from its environment. */
    public static TcpRendezvous fromEnvironment(Duration timeout) throws IOException {
        String rank = System.getenv(ProcessLauncher.RANK);
        String world = System.getenv(ProcessLauncher.WORLD_SIZE);
        String root = System.getenv(ProcessLauncher.RENDEZVOUS);
        if (rank == null || world == null || root == null) {
            throw new IllegalStateException("not started by ProcessLauncher: " + ProcessLauncher.RANK + ", "
                    + ProcessLauncher.WORLD_SIZE + " and " + ProcessLauncher.RENDEZVOUS + " must be set");
        }
        int colon = root.lastIndexOf(':');
        return new TcpRendezvous(Integer.parseInt(rank), Integer.parseInt(world),
                new InetSocketAddress(root.substring(0, colon), Integer.parseInt(root.substring(colon + 1))), timeout);
    }

    /** Where rank 0 listens. */
    public InetSocketAddress address() {
        return root;
    }

    @Override
    public int rank() {
        return rank;
    }

    @Override
    public int worldSize() {
        return worldSize;
    }

    @Override
    public List<String> allGather(String message) {
        round++;
        long deadline = System.nanoTime() + timeout.toNanos();
        try {
            return rank == 0 ? serve(message, deadline) : join(message, deadline);
        } catch (IOException e) {
            throw new CollectiveException("rendezvous at " + root + " (round " + round + ", rank " + rank + " of "
                    + worldSize + "): " + e.getMessage(), e);
        }
    }

    private List<String> serve(String message, long deadline) throws IOException {
        String[] messages = new String[worldSize];
        Socket[] peers = new Socket[worldSize];
        messages[0] = message;
        try {
            for (int arrived = 1; arrived < worldSize; ) {
                Socket peer;
                try {
                    peer = server.accept();
                } catch (SocketTimeoutException e) {
                    if (System.nanoTime() > deadline) {
                        throw new CollectiveException(missing(messages) + " of " + worldSize + " did not arrive at the rendezvous "
                                + root + " within " + seconds(timeout) + " (round " + round + ")");
                    }
                    continue;
                }
                peer.setSoTimeout((int) Math.max(1, timeout.toMillis()));
                DataInputStream in = new DataInputStream(peer.getInputStream());
                int from = readHello(in, peer);
                if (peers[from] != null) {
                    peer.close();
                    throw new CollectiveException("two processes claim rank " + from + " at the rendezvous " + root);
                }
                peers[from] = peer;
                messages[from] = readString(in);
                arrived++;
            }
            for (int r = 1; r < worldSize; r++) {
                DataOutputStream out = new DataOutputStream(peers[r].getOutputStream());
                out.writeInt(worldSize);
                for (String m : messages) {
                    writeString(out, m);
                }
                out.flush();
            }
            return List.of(messages);
        } finally {
            for (Socket s : peers) {
                if (s != null) {
                    s.close();
                }
            }
        }
    }

    private int readHello(DataInputStream in, Socket peer) throws IOException {
        int magic = in.readInt();
        int from = in.readInt();
        int world = in.readInt();
        int theirRound = in.readInt();
        if (magic != MAGIC || world != worldSize || from <= 0 || from >= worldSize || theirRound != round) {
            peer.close();
            throw new CollectiveException("a process at " + peer.getRemoteSocketAddress() + " joined the rendezvous " + root
                    + " as rank " + from + " of " + world + " in round " + theirRound + ", but this run is " + worldSize
                    + " ranks in round " + round);
        }
        return from;
    }

    private List<String> join(String message, long deadline) throws IOException {
        try (Socket socket = connect(deadline)) {
            DataOutputStream out = new DataOutputStream(socket.getOutputStream());
            out.writeInt(MAGIC);
            out.writeInt(rank);
            out.writeInt(worldSize);
            out.writeInt(round);
            writeString(out, message);
            out.flush();
            long left = Math.max(1, (deadline - System.nanoTime()) / 1_000_000);
            socket.setSoTimeout((int) Math.min(Integer.MAX_VALUE, left));
            DataInputStream in = new DataInputStream(socket.getInputStream());
            List<String> all = new ArrayList<>();
            try {
                int n = in.readInt();
                for (int i = 0; i < n; i++) {
                    all.add(readString(in));
                }
            } catch (SocketTimeoutException e) {
                throw new CollectiveException("rank " + rank + " reached the rendezvous " + root + " but rank 0 did not answer within "
                        + seconds(timeout) + ": some other rank never arrived");
            }
            return List.copyOf(all);
        }
    }

    private Socket connect(long deadline) throws IOException {
        IOException last;
        do {
            Socket socket = new Socket();
            try {
                socket.connect(root, POLL_MILLIS * 5);
                return socket;
            } catch (IOException e) {
                socket.close();
                last = e;
            }
            try {
                Thread.sleep(POLL_MILLIS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new CollectiveException("interrupted while joining the rendezvous " + root, e);
            }
        } while (System.nanoTime() < deadline);
        throw new CollectiveException("rank " + rank + " could not reach rank 0 at the rendezvous " + root + " within "
                + seconds(timeout) + ": " + last.getMessage(), last);
    }

    private static String missing(String[] messages) {
        TreeSet<Integer> absent = new TreeSet<>();
        for (int r = 0; r < messages.length; r++) {
            if (messages[r] == null) {
                absent.add(r);
            }
        }
        return (absent.size() == 1 ? "rank " : "ranks ") + String.join(", ", absent.stream().map(String::valueOf).toList());
    }

    static String seconds(Duration d) {
        return d.toMillis() % 1000 == 0 ? d.toSeconds() + " s" : d.toMillis() / 1000.0 + " s";
    }

    private static void writeString(DataOutputStream out, String s) throws IOException {
        byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
        out.writeInt(bytes.length);
        out.write(bytes);
    }

    private static String readString(DataInputStream in) throws IOException {
        byte[] bytes = new byte[in.readInt()];
        in.readFully(bytes);
        return new String(bytes, StandardCharsets.UTF_8);
    }

    @Override
    public void close() throws IOException {
        if (server != null) {
            server.close();
        }
    }
}
