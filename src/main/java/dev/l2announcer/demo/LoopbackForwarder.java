package dev.l2announcer.demo;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Lets the user's kubectl on this host reach the demo's API inside the test LAN: listens on
 * 127.0.0.1 (loopback only, like any local test server) and connects each client, from inside one of
 * the demo's own namespaces, to the API's address there. Nothing is added to the host's network
 * configuration. Accepting and copying run on platform daemon threads; {@link #close()} ends them.
 */
final class LoopbackForwarder implements AutoCloseable {
    private final ServerSocketChannel listener;
    private final List<SocketChannel> open = new CopyOnWriteArrayList<>();
    private final Thread acceptor;

    private LoopbackForwarder(ServerSocketChannel listener, String viaNetns, InetSocketAddress target) {
        this.listener = listener;
        this.acceptor = Thread.ofPlatform().daemon().name("api-forwarder").start(() -> accept(viaNetns, target));
    }

    /** Starts forwarding 127.0.0.1:(a free port) to {@code target}, connecting from inside {@code viaNetns}. */
    static LoopbackForwarder start(String viaNetns, InetSocketAddress target) {
        try {
            ServerSocketChannel s = ServerSocketChannel.open();
            s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            return new LoopbackForwarder(s, viaNetns, target);
        } catch (IOException e) {
            throw new IllegalStateException("cannot listen on loopback", e);
        }
    }

    int port() {
        try {
            return ((InetSocketAddress) listener.getLocalAddress()).getPort();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private void accept(String viaNetns, InetSocketAddress target) {
        while (listener.isOpen()) {
            try {
                SocketChannel in = listener.accept();
                // The socket is created on a thread inside the namespace and stays there for its life.
                SocketChannel out = Netns.call(viaNetns, () -> SocketChannel.open(target));
                open.add(in);
                open.add(out);
                pump(in, out);
                pump(out, in);
            } catch (IOException | RuntimeException e) {
                if (!listener.isOpen()) {
                    return;
                }
            }
        }
    }

    private void pump(SocketChannel from, SocketChannel to) {
        Thread.ofPlatform().daemon().name("api-forwarder-copy").start(() -> {
            ByteBuffer buf = ByteBuffer.allocate(64 * 1024);
            try {
                while (from.read(buf) >= 0) {
                    buf.flip();
                    while (buf.hasRemaining()) {
                        to.write(buf);
                    }
                    buf.clear();
                }
                to.shutdownOutput();
            } catch (IOException ignored) {
                // one side closed: the other copy thread ends too
            } finally {
                closeQuietly(from);
                open.remove(from);
            }
        });
    }

    private static void closeQuietly(SocketChannel c) {
        try {
            c.close();
        } catch (IOException ignored) {
            // closing anyway
        }
    }

    @Override
    public void close() {
        try {
            listener.close();
        } catch (IOException ignored) {
            // closing anyway
        }
        open.forEach(LoopbackForwarder::closeQuietly);
        try {
            acceptor.join(2_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
