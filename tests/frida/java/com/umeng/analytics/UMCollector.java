package com.umeng.analytics;

import android.content.Context;
import android.net.wifi.WifiInfo;
import android.provider.Settings;
import android.telephony.TelephonyManager;

/** Stub "SDK": collects device identifiers the way analytics SDKs do at start-up. */
public final class UMCollector {
    private UMCollector() {}

    public static int collect(Context ctx, TelephonyManager tm, WifiInfo wifi) {
        String imei = tm.getDeviceId();
        String androidId = Settings.Secure.getString(ctx.getContentResolver(), "android_id");
        String mac = wifi.getMacAddress();
        return imei.length() + androidId.length() + mac.length();
    }

    /** Reads the IMSI on a worker thread with a recognisable name. */
    public static void collectOnWorker(TelephonyManager tm) throws InterruptedException {
        Thread t = new Thread(() -> tm.getSubscriberId(), "umeng-worker");
        t.start();
        t.join();
    }
}
