package com.igexin.push;

import android.telephony.TelephonyManager;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult;
import javax.net.ssl.SSLEngineResult.HandshakeStatus;
import javax.net.ssl.SSLParameters;

/** Stub push "SDK" (Getui's package, so attribution can name it) that talks the way event-loop
 * network stacks do: a non-blocking SocketChannel driven by a Selector, TLS through an SSLEngine,
 * never a blocking call. It reads the IMEI and posts it in JSON; returns the HTTP status.
 * No proxy anywhere: only the agent's redirect can bring this to the harness proxy. */
public final class NioUploader {
    private NioUploader() {}

    static final long TIMEOUT_MS = 30000;

    /** Waits on the app's selector for {@code ops}; throws when the deadline passes. */
    static void await(Selector sel, SelectionKey key, int ops, long deadline) throws IOException {
        long left = deadline - System.currentTimeMillis();
        if (left <= 0) throw new IOException("timed out waiting for " + ops);
        key.interestOps(ops);
        sel.select(Math.min(left, 1000));
        sel.selectedKeys().clear();
    }

    static void writeAll(SocketChannel ch, Selector sel, SelectionKey key, ByteBuffer buf, long deadline) throws IOException {
        while (buf.hasRemaining()) {
            if (ch.write(buf) == 0) await(sel, key, SelectionKey.OP_WRITE, deadline);
        }
    }

    /** Reads at least one byte into {@code dst} (-1 at end of stream). */
    static int readSome(SocketChannel ch, Selector sel, SelectionKey key, ByteBuffer dst, long deadline) throws IOException {
        while (true) {
            int n = ch.read(dst);
            if (n != 0) return n;
            await(sel, key, SelectionKey.OP_READ, deadline);
        }
    }

    public static int post(String host, int port, String path) throws Exception {
        String imei = new TelephonyManager().getDeviceId();
        byte[] body = ("{\"imei\":\"" + imei + "\",\"via\":\"nio\"}").getBytes(StandardCharsets.UTF_8);
        String head = "POST " + path + " HTTP/1.1\r\nHost: " + host + "\r\nContent-Type: application/json\r\nContent-Length: " + body.length + "\r\nConnection: close\r\n\r\n";
        byte[] h = head.getBytes(StandardCharsets.US_ASCII);
        ByteBuffer appOut = ByteBuffer.allocate(h.length + body.length);
        appOut.put(h).put(body).flip();
        SSLEngine eng = SSLContext.getDefault().createSSLEngine(host, port);
        eng.setUseClientMode(true);
        SSLParameters params = eng.getSSLParameters();
        params.setEndpointIdentificationAlgorithm("HTTPS");
        eng.setSSLParameters(params);
        long deadline = System.currentTimeMillis() + TIMEOUT_MS;
        try (Selector sel = Selector.open(); SocketChannel ch = SocketChannel.open()) {
            ch.configureBlocking(false);
            boolean connected = ch.connect(new InetSocketAddress(host, port));
            SelectionKey key = ch.register(sel, SelectionKey.OP_CONNECT);
            while (!connected) {
                await(sel, key, SelectionKey.OP_CONNECT, deadline);
                connected = ch.finishConnect();
            }
            if (ch.isBlocking()) throw new IOException("the channel was switched to blocking mode");
            int packet = eng.getSession().getPacketBufferSize();
            ByteBuffer netOut = ByteBuffer.allocate(packet);
            ByteBuffer netIn = ByteBuffer.allocate(packet * 2);
            ByteBuffer appIn = ByteBuffer.allocate(eng.getSession().getApplicationBufferSize() * 2);
            eng.beginHandshake();
            while (true) {
                HandshakeStatus hs = eng.getHandshakeStatus();
                if (hs == HandshakeStatus.NEED_TASK) {
                    Runnable task;
                    while ((task = eng.getDelegatedTask()) != null) task.run();
                    continue;
                }
                if (hs == HandshakeStatus.NEED_WRAP || (hs == HandshakeStatus.NOT_HANDSHAKING && appOut.hasRemaining())) {
                    netOut.clear();
                    SSLEngineResult r = eng.wrap(appOut, netOut);
                    netOut.flip();
                    writeAll(ch, sel, key, netOut, deadline);
                    if (r.getStatus() == SSLEngineResult.Status.CLOSED) return -3;
                    continue;
                }
                // NEED_UNWRAP, or the request is out and the answer is awaited
                netIn.flip();
                SSLEngineResult r = eng.unwrap(netIn, appIn);
                netIn.compact();
                String got = new String(appIn.array(), 0, appIn.position(), StandardCharsets.ISO_8859_1);
                if (got.startsWith("HTTP/1.1 ") && got.length() >= 12) return Integer.parseInt(got.substring(9, 12));
                if (r.getStatus() == SSLEngineResult.Status.CLOSED) return -4;
                if (r.getStatus() == SSLEngineResult.Status.BUFFER_UNDERFLOW || (r.bytesConsumed() == 0 && r.bytesProduced() == 0)) {
                    if (readSome(ch, sel, key, netIn, deadline) < 0) return -5;
                }
            }
        }
    }
}
