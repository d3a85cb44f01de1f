package com.example.app;

import android.app.Application;
import android.app.ApplicationPackageManager;
import android.app.ContextImpl;
import android.content.ClipboardManager;
import android.content.ComponentName;
import android.content.ContentResolver;
import android.content.Intent;
import android.graphics.ImageDecoder;
import android.hardware.Sensor;
import android.hardware.SensorManager;
import android.location.LocationManager;
import android.net.Uri;
import android.net.wifi.WifiInfo;
import android.provider.Settings;
import android.telephony.TelephonyManager;
import androidx.core.app.ActivityCompat;
import cn.jpush.android.service.JCoreHelper;
import com.google.android.gms.ads.identifier.AdvertisingIdClient;
import com.google.android.gms.location.FusedLocationProviderClient;
import com.google.android.gms.location.LocationServices;
import com.umeng.analytics.UMCollector;
import java.io.BufferedReader;
import java.io.File;
import java.io.FileInputStream;
import java.io.InputStreamReader;
import java.net.NetworkInterface;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * Test target for the Frida agent on HotSpot. At start it behaves like an app whose SDKs
 * collect identifiers before any consent (Application.attach, then Umeng), prints "ready",
 * and then obeys one command per line on stdin:
 *   run                       the full scenario (see scenario())
 *   burst N T same|distinct   T threads call getDeviceId N times each
 *   hostile                   huge strings, a huge thread name, a deep stack, a huge permission list
 *   emoji                     a thread name and a return value with an emoji pair across the agent's cut
 *   flood MS T                T threads call getDeviceId as fast as they can for MS milliseconds
 *   bench N ROUNDS            timed loops of getDeviceId(), one line per round with ns/call
 *   macs                      reads every interface MAC through java.net.NetworkInterface
 *   reads ROOT                fused location, media by file descriptor, direct file reads under
 *                             ROOT/storage/emulated/0, sensors by type, a method removed in API 29
 *   exit                      System.exit(0) (never detach a live JVM: end it)
 * Every command ends with a line "done <command> <calls>".
 */
public final class Main {
    static final String PKG = "com.example.app";
    static final ContextImpl CTX = new ContextImpl(PKG);
    static final TelephonyManager TM = new TelephonyManager();
    static final MainActivity ACTIVITY = new MainActivity();
    static volatile long sink;

    private Main() {}

    static void out(String line) {
        System.out.println(line);
        System.out.flush();
    }

    public static void main(String[] args) throws Exception {
        // Warm up the hot path first so benchmarks measure hooks installed into compiled code.
        if (args.length > 0 && args[0].equals("bench-warm")) {
            for (int i = 0; i < 2000; i++) sink += spin(1000);
        }
        new Application().attachForTest(CTX);
        UMCollector.collect(CTX, TM, new WifiInfo());
        out("ready " + ProcessHandle.current().pid());
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in));
        String line;
        while ((line = in.readLine()) != null) {
            String[] w = line.trim().split("\\s+");
            if (w.length == 0 || w[0].isEmpty()) continue;
            long calls;
            switch (w[0]) {
                case "run": calls = scenario(); break;
                case "burst": calls = burst(Integer.parseInt(w[1]), Integer.parseInt(w[2]), w.length > 3 && w[3].equals("distinct")); break;
                case "hostile": calls = hostile(); break;
                case "emoji": calls = emoji(); break;
                case "flood": calls = flood(Long.parseLong(w[1]), Integer.parseInt(w[2])); break;
                case "bench": calls = bench(Integer.parseInt(w[1]), Integer.parseInt(w[2])); break;
                case "macs": calls = macs().size(); break;
                case "dialog": ACTIVITY.dialogOverForTest(); calls = 0; break;
                case "reads": calls = reads(w[1]); break;
                case "exit": System.exit(0); return;
                default: out("unknown " + w[0]); continue;
            }
            out("done " + w[0] + " " + calls);
        }
        System.exit(0);
    }

    /** The ordered scenario; the tests know exactly which calls must be recorded. */
    static long scenario() throws Exception {
        ContentResolver cr = CTX.getContentResolver();
        ACTIVITY.resumeForTest();                                               // life foreground
        UMCollector.collect(CTX, TM, new WifiInfo());                           // 3 calls, umeng
        Settings.Secure.getString(cr, "font_scale");                            // filtered out
        JCoreHelper.scan(new ApplicationPackageManager(), new LocationManager()); // 2 calls, jpush
        new ClipboardManager().getPrimaryClip();                                // app
        cr.query(Uri.parse("content://com.android.contacts/contacts"), null, null, null, null);
        cr.query(Uri.parse("content://sms/inbox"), null, null, null, null);
        cr.query(Uri.parse("content://settings/system"), null, null, null, null); // filtered out
        ActivityCompat.requestPermissions(ACTIVITY, new String[] {"android.permission.CAMERA", "android.permission.RECORD_AUDIO"}, 7);
        CTX.startService(new Intent().setComponent(new ComponentName("com.other.app", "com.other.app.SyncService")));
        CTX.startService(new Intent().setComponent(new ComponentName(PKG, PKG + ".LocalService"))); // own: filtered out
        ApplicationPackageManager pm = new ApplicationPackageManager();
        pm.getPackageInfo("com.tencent.mm", 0);
        pm.getPackageInfo(PKG, 0);                                              // own: filtered out
        AdvertisingIdClient.getAdvertisingIdInfo(CTX);
        UMCollector.collectOnWorker(TM);                                        // thread umeng-worker
        ACTIVITY.pauseForTest();                                                // life background
        return 17;
    }

    /** Reads that do not go through a query or a concrete client class; the tests know the order. */
    static long reads(String root) throws Exception {
        ContentResolver cr = CTX.getContentResolver();
        FusedLocationProviderClient fused = LocationServices.getFusedLocationProviderClient(CTX); // factory
        fused.getLastLocation();                                                // on the implementation
        fused.getCurrentLocation(100, null);
        Uri photo = Uri.parse("content://media/external/images/media/42");
        cr.openFileDescriptor(photo, "r");
        cr.openAssetFileDescriptor(photo, "r");
        cr.openTypedAssetFileDescriptor(photo, "image/*", null);
        cr.loadThumbnail(photo, null, null);
        cr.openFileDescriptor(Uri.parse("content://com.example.app.files/own/1"), "r"); // own provider: filtered out
        ImageDecoder.createSource(cr, photo);
        try (FileInputStream in = new FileInputStream(new File(root + "/storage/emulated/0/DCIM/Camera/IMG_0001.jpg"))) {
            sink += in.read();
        }
        try (FileInputStream in = new FileInputStream(root + "/data/own.txt")) {  // app-private: filtered out
            sink += in.read();
        }
        SensorManager sm = new SensorManager();
        sm.registerListener(null, new Sensor(Sensor.TYPE_STEP_COUNTER), 0);
        sm.registerListener(null, new Sensor(Sensor.TYPE_ACCELEROMETER), 0);
        sm.registerListener(null, new Sensor(99), 0, 0);                        // unknown type: the fallback
        sink += TM.getNeighboringCellInfo().size();                             // not hooked on API 33
        TM.getNai();
        return 13;                                                              // calls that must be recorded
    }

    static long burst(int n, int threads, boolean distinct) throws InterruptedException {
        List<Thread> ts = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            final int id = t;
            Thread th = new Thread(() -> {
                for (int i = 0; i < n; i++) sink += distinct ? TM.getDeviceId(id * n + i).length() : TM.getDeviceId().length();
            }, "burst-" + t);
            ts.add(th);
            th.start();
        }
        for (Thread th : ts) th.join();
        return (long) n * threads;
    }

    static String big(char c, int n) {
        return String.valueOf(c).repeat(n);
    }

    static long deep(int d) {
        return d == 0 ? TM.getDeviceId().length() : 1 + deep(d - 1);
    }

    static long hostile() throws InterruptedException {
        long calls = 0;
        new TelephonyManager(big('9', 4_000_000)).getDeviceId(); calls++;          // 4 MB return value
        new LocationManager().getLastKnownLocation(big('p', 1_000_000) + "\"}]\u0000\u202e"); calls++;
        ContentResolver cr = CTX.getContentResolver();
        cr.query(Uri.parse("content://com.android.contacts/" + big('x', 2_000_000)), null, null, null, null); calls++;
        Thread named = new Thread(() -> TM.getDeviceId(), big('T', 100_000));      // huge thread name
        named.start(); named.join(); calls++;
        sink += deep(3000); calls++;                                                 // 3000-frame stack
        String[] perms = new String[5000];
        for (int i = 0; i < perms.length; i++) perms[i] = "android.permission." + big('P', 1000) + i;
        ActivityCompat.requestPermissions(ACTIVITY, perms, 9); calls++;
        return calls;
    }

    /** Strings whose UTF-16 surrogate pair straddles the agent's cut (120 for thread names,
     *  512 for values): a naive cut leaves half an emoji, a lone surrogate. */
    static long emoji() throws InterruptedException {
        String pair = "\uD83D\uDE00";
        StringBuilder name = new StringBuilder(big('E', 118));
        StringBuilder ret = new StringBuilder(big('R', 510));
        for (int i = 0; i < 10; i++) { name.append(pair); ret.append(pair); }
        Thread named = new Thread(() -> new TelephonyManager(ret.toString()).getDeviceId(), name.toString());
        named.start(); named.join();
        return 1;
    }

    static long flood(long ms, int threads) throws InterruptedException {
        final long end = System.currentTimeMillis() + ms;
        final long[] counts = new long[threads];
        List<Thread> ts = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            final int id = t;
            Thread th = new Thread(() -> {
                long c = 0;
                while (System.currentTimeMillis() < end) {
                    sink += TM.getDeviceId((int) (c % 7)).length();
                    c++;
                }
                counts[id] = c;
            }, "flood-" + t);
            ts.add(th);
            th.start();
        }
        long total = 0;
        for (int t = 0; t < threads; t++) { ts.get(t).join(); total += counts[t]; }
        return total;
    }

    static long spin(int n) {
        long s = 0;
        for (int i = 0; i < n; i++) s += TM.getDeviceId().length();
        return s;
    }

    static long bench(int n, int rounds) {
        for (int r = 0; r < rounds; r++) {
            long t0 = System.nanoTime();
            sink += spin(n);
            long t1 = System.nanoTime();
            out("round " + r + " n=" + n + " ns/call=" + ((t1 - t0) / (double) n));
        }
        return (long) n * rounds;
    }

    static List<String> macs() throws Exception {
        List<String> out = new ArrayList<>();
        for (NetworkInterface ni : Collections.list(NetworkInterface.getNetworkInterfaces())) {
            byte[] mac = ni.getHardwareAddress();
            out.add(ni.getName() + "=" + (mac == null ? "none" : mac.length));
        }
        return out;
    }
}
