package cn.jpush.android.service;

import android.content.pm.PackageManager;
import android.location.LocationManager;

/** Stub "push SDK": lists installed apps and reads the last location. */
public final class JCoreHelper {
    private JCoreHelper() {}

    public static int scan(PackageManager pm, LocationManager lm) {
        int n = pm.getInstalledPackages(0).size();
        return n + (lm.getLastKnownLocation("gps") == null ? 0 : 1);
    }
}
