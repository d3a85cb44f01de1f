package com.example.netapp;

import com.amap.api.location.AMapLocation;
import com.amap.api.location.AMapLocationClient;
import com.baidu.location.BDLocation;
import com.baidu.location.LocationClient;
import com.tencent.map.geolocation.TencentLocation;
import com.tencent.map.geolocation.TencentLocationListener;
import com.tencent.map.geolocation.TencentLocationManager;
import com.tencent.map.geolocation.TencentLocationRequest;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.HttpURLConnection;
import java.net.Proxy;
import java.net.URL;
import java.nio.charset.StandardCharsets;

/** The app reads its position from three Chinese location SDKs (AMap's cached fix, Baidu's cached
 * fix, a Tencent fix handed to a listener, then Tencent's cached fix) and posts each to its server
 * as JSON numbers; prints "loc <sdk> <lat>,<lon>" for each, and for two failed fixes that are not
 * sent. Returns how many posts got 200. */
public final class LocReport {
    private LocReport() {}

    static volatile double[] tencent = null;

    static int post(String url, double lat, double lon) throws Exception {
        byte[] body = ("{\"lat\":" + lat + ",\"lon\":" + lon + ",\"acc\":30}").getBytes(StandardCharsets.UTF_8);
        HttpURLConnection conn = (HttpURLConnection) new URL(url).openConnection(Proxy.NO_PROXY);
        conn.setRequestMethod("POST");
        conn.setDoOutput(true);
        conn.setRequestProperty("content-type", "application/json");
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
        return status == 200 ? 1 : 0;
    }

    static void say(String sdk, double lat, double lon) {
        System.out.println("loc " + sdk + " " + lat + "," + lon);
    }

    public static int run(String base) throws Exception {
        int ok = 0;
        AMapLocationClient amap = new AMapLocationClient(null);
        AMapLocation a = amap.getLastKnownLocation();
        say("amap", a.getLatitude(), a.getLongitude());
        ok += post(base + "/loc?sdk=amap", a.getLatitude(), a.getLongitude());
        AMapLocation af = amap.failedFix();
        say("amapfail", af.getLatitude(), af.getLongitude());
        LocationClient baidu = new LocationClient(null);
        BDLocation b = baidu.getLastKnownLocation();
        say("baidu", b.getLatitude(), b.getLongitude());
        ok += post(base + "/loc?sdk=baidu", b.getLatitude(), b.getLongitude());
        BDLocation bf = baidu.failedFix();
        say("baidufail", bf.getLatitude(), bf.getLongitude());
        TencentLocationManager tm = TencentLocationManager.getInstance(null);
        java.util.concurrent.CountDownLatch fixed = new java.util.concurrent.CountDownLatch(1);
        tm.requestLocationUpdates(TencentLocationRequest.create(), new TencentLocationListener() {
            @Override public void onLocationChanged(TencentLocation loc, int error, String reason) {
                if (error == 0) tencent = new double[] {loc.getLatitude(), loc.getLongitude()};
                fixed.countDown();
            }
            @Override public void onStatusUpdate(String name, int status, String desc) {}
        });
        if (!fixed.await(20, java.util.concurrent.TimeUnit.SECONDS)) throw new IllegalStateException("no Tencent fix");
        say("tencent", tencent[0], tencent[1]);
        ok += post(base + "/loc?sdk=tencent", tencent[0], tencent[1]);
        TencentLocation cached = tm.getLastKnownLocation();
        say("tencentcached", cached.getLatitude(), cached.getLongitude());
        return ok;
    }
}
