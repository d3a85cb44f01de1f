package com.example.netapp;

import com.tendcloud.tenddata.TDCollector;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Proxy;
import java.net.Socket;
import java.net.URL;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.security.cert.Certificate;
import java.util.Arrays;
import javax.net.ssl.HttpsURLConnection;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;

/** A host-process "app" for the network tests, driven by lines on stdin; each command prints
 * "done <command> <number>". */
public final class Main {
    private Main() {}

    static int get(HttpsURLConnection conn) throws Exception {
        conn.setConnectTimeout(20000);
        conn.setReadTimeout(20000);
        int status = conn.getResponseCode();
        try (InputStream in = conn.getInputStream()) {
            in.readAllBytes();
        }
        conn.disconnect();
        return status;
    }

    /** The app pins inside the handshake, with its own trust manager. */
    static int pinned(String url, String pin) throws Exception {
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(null, new TrustManager[] {new PinningTrustManager(pin)}, null);
        HttpsURLConnection conn = (HttpsURLConnection) new URL(url).openConnection(Proxy.NO_PROXY);
        conn.setSSLSocketFactory(ctx.getSocketFactory());
        return get(conn);
    }

    /** The app pins after the handshake, with (a stand-in of) OkHttp's CertificatePinner. */
    static int okPinned(String url, String pin) throws Exception {
        HttpsURLConnection conn = (HttpsURLConnection) new URL(url).openConnection(Proxy.NO_PROXY);
        conn.setConnectTimeout(20000);
        conn.connect();
        Certificate[] chain = conn.getServerCertificates();
        try {
            new okhttp3.CertificatePinner(pin).check(new URL(url).getHost(), Arrays.asList(chain));
        } catch (Exception e) {
            conn.disconnect();
            throw e;
        }
        return get(conn);
    }

    /** A trust-all TLS client (the R37 mistake): accepts any certificate and any host name, and
     * sends the IMEI in the query. */
    static int trustAll(String url) throws Exception {
        String imei = new android.telephony.TelephonyManager().getDeviceId();
        TrustManager[] all = new TrustManager[] {new javax.net.ssl.X509TrustManager() {
            @Override public void checkClientTrusted(java.security.cert.X509Certificate[] c, String a) {}
            @Override public void checkServerTrusted(java.security.cert.X509Certificate[] c, String a) {}
            @Override public java.security.cert.X509Certificate[] getAcceptedIssuers() { return new java.security.cert.X509Certificate[0]; }
        }};
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(null, all, null);
        HttpsURLConnection conn = (HttpsURLConnection) new URL(url + "?imei=" + imei).openConnection(Proxy.NO_PROXY);
        conn.setSSLSocketFactory(ctx.getSocketFactory());
        conn.setHostnameVerifier((h, s) -> true);
        return get(conn);
    }

    /** UDP to port 443 three ways, and once to another port; returns the refused count. */
    static int quic(String host) throws Exception {
        int refused = 0;
        byte[] hello = "quic-initial".getBytes();
        InetAddress addr = InetAddress.getByName(host);
        try (DatagramSocket ds = new DatagramSocket()) {
            try { ds.send(new DatagramPacket(hello, hello.length, addr, 443)); } catch (Exception e) { refused += e instanceof java.net.SocketException ? 1 : 0; }
            try { ds.connect(new InetSocketAddress(addr, 443)); } catch (Exception e) { refused += e instanceof java.net.SocketException ? 1 : 0; }
            ds.send(new DatagramPacket(hello, hello.length, addr, 8443)); // not QUIC: goes out
        }
        try (DatagramChannel dc = DatagramChannel.open()) {
            try { dc.send(ByteBuffer.wrap(hello), new InetSocketAddress(addr, 443)); } catch (Exception e) { refused += e instanceof java.net.SocketException ? 1 : 0; }
        }
        return refused;
    }

    public static void main(String[] args) throws Exception {
        System.out.println("ready");
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in));
        String line;
        while ((line = in.readLine()) != null) {
            String[] p = line.trim().split(" ");
            int n;
            try {
                switch (p[0]) {
                    case "post": n = TDCollector.send(p[1]); break;
                    case "pinned": n = pinned(p[1], p[2]); break;
                    case "okpin": n = okPinned(p[1], p[2]); break;
                    case "quic": n = quic(p[1]); break;
                    case "trustall": n = trustAll(p[1]); break;
                    case "direct": {
                        try (Socket s = new Socket()) {
                            s.connect(new InetSocketAddress("127.0.0.1", Integer.parseInt(p[1])), 5000);
                            n = s.isConnected() ? 1 : 0;
                        }
                        break;
                    }
                    case "connects": { // connects <host> <port> <n>: mean microseconds per connect
                        int count = Integer.parseInt(p[3]);
                        long total = 0;
                        for (int i = 0; i < count; i++) {
                            try (Socket s = new Socket()) {
                                long t0 = System.nanoTime();
                                s.connect(new InetSocketAddress(p[1], Integer.parseInt(p[2])), 5000);
                                total += System.nanoTime() - t0;
                            }
                        }
                        n = (int) (total / 1000 / count);
                        break;
                    }
                    case "channel": { // channel <host> <port>: plain HTTP over a blocking SocketChannel
                        try (java.nio.channels.SocketChannel ch = java.nio.channels.SocketChannel.open(new InetSocketAddress(p[1], Integer.parseInt(p[2])))) {
                            ch.write(ByteBuffer.wrap(("GET /channel HTTP/1.1\r\nHost: " + p[1] + "\r\nConnection: close\r\n\r\n").getBytes()));
                            ByteBuffer got = ByteBuffer.allocate(64);
                            while (got.position() < 12 && ch.read(got) > 0) { }
                            String head = new String(got.array(), 0, got.position());
                            n = head.startsWith("HTTP/1.1 ") ? Integer.parseInt(head.substring(9, 12)) : 0;
                        }
                        break;
                    }
                    case "nioconnects": { // nioconnects <host> <port> <n>: mean microseconds per non-blocking connect (connect, OP_CONNECT, finishConnect)
                        int count = Integer.parseInt(p[3]);
                        long total = 0;
                        try (java.nio.channels.Selector sel = java.nio.channels.Selector.open()) {
                            for (int i = 0; i < count; i++) {
                                try (java.nio.channels.SocketChannel ch = java.nio.channels.SocketChannel.open()) {
                                    long t0 = System.nanoTime();
                                    ch.configureBlocking(false);
                                    boolean done = ch.connect(new InetSocketAddress(p[1], Integer.parseInt(p[2])));
                                    java.nio.channels.SelectionKey key = ch.register(sel, java.nio.channels.SelectionKey.OP_CONNECT);
                                    while (!done) {
                                        sel.select(1000);
                                        sel.selectedKeys().clear();
                                        done = ch.finishConnect();
                                    }
                                    total += System.nanoTime() - t0;
                                    key.cancel();
                                }
                                sel.selectNow();
                            }
                        }
                        n = (int) (total / 1000 / count);
                        break;
                    }
                    case "nioconnect": { // nioconnect <host> <port>: a non-blocking connect on a Selector; 1 once connected
                        try (java.nio.channels.Selector sel = java.nio.channels.Selector.open(); java.nio.channels.SocketChannel ch = java.nio.channels.SocketChannel.open()) {
                            ch.configureBlocking(false);
                            boolean done = ch.connect(new InetSocketAddress(p[1], Integer.parseInt(p[2])));
                            ch.register(sel, java.nio.channels.SelectionKey.OP_CONNECT);
                            long deadline = System.currentTimeMillis() + 20000;
                            while (!done && System.currentTimeMillis() < deadline) {
                                sel.select(1000);
                                sel.selectedKeys().clear();
                                done = ch.finishConnect();
                            }
                            n = done && ch.isConnected() && !ch.isBlocking() ? 1 : 0;
                        }
                        break;
                    }
                    case "locsdk": n = LocReport.run(p[1]); break;
                    case "nio": n = com.igexin.push.NioUploader.post(p[1], Integer.parseInt(p[2]), p[3]); break;
                    case "exit": return;
                    default: n = -2;
                }
            } catch (Exception e) {
                System.out.println("error " + p[0] + " " + e.toString().replace('\n', ' '));
                n = -1;
            }
            System.out.println("done " + p[0] + " " + n);
            System.out.flush();
        }
    }
}
