package com.tendcloud.tenddata;

import android.telephony.TelephonyManager;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.HttpURLConnection;
import java.net.Proxy;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.zip.GZIPOutputStream;

/** Stub analytics "SDK" (a real SDK's package, so attribution can name it): reads the IMEI and
 * posts its MD5, base64-encoded, inside gzip-compressed JSON over HTTPS, the way trackers do.
 * No proxy is configured anywhere: Proxy.NO_PROXY even overrides JVM proxy properties. */
public final class TDCollector {
    private TDCollector() {}

    public static int send(String url) throws Exception {
        String imei = new TelephonyManager().getDeviceId();
        byte[] md5 = MessageDigest.getInstance("MD5").digest(imei.getBytes(StandardCharsets.UTF_8));
        String json = "{\"d\":\"" + Base64.getEncoder().encodeToString(md5) + "\",\"ev\":\"launch\"}";
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(buf)) {
            gz.write(json.getBytes(StandardCharsets.UTF_8));
        }
        byte[] body = buf.toByteArray();
        HttpURLConnection conn = (HttpURLConnection) new URL(url).openConnection(Proxy.NO_PROXY);
        conn.setRequestMethod("POST");
        conn.setDoOutput(true);
        conn.setRequestProperty("content-type", "application/json");
        conn.setRequestProperty("content-encoding", "gzip");
        conn.setConnectTimeout(20000);
        conn.setReadTimeout(20000);
        try (OutputStream out = conn.getOutputStream()) {
            out.write(body);
        }
        int status = conn.getResponseCode();
        try (InputStream in = conn.getInputStream()) {
            in.readAllBytes();
        }
        conn.disconnect();
        return status;
    }
}
