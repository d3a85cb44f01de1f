package com.tencent.map.geolocation;

/** Stand-in for Tencent's location manager. The listener is called back on the SDK's own thread
 * once the fix is in (as the real SDK does on its looper), with an object of a class nobody has
 * seen yet; the cached fix is of another class. */
public class TencentLocationManager {
    private static final TencentLocationManager INSTANCE = new TencentLocationManager();
    private TencentLocationManager() {}
    public static TencentLocationManager getInstance(Object context) { return INSTANCE; }

    public int requestLocationUpdates(TencentLocationRequest request, TencentLocationListener listener) {
        // a fix takes time to come in (half a second here; seconds on a device)
        Thread t = new Thread(() -> {
            try {
                Thread.sleep(500);
            } catch (InterruptedException e) {
                return;
            }
            listener.onLocationChanged(new c.t.m.g.dz(22.5431234, 114.0579876), 0, "OK");
        }, "TencentLocationThread");
        t.setDaemon(true);
        t.start();
        return 0;
    }

    public TencentLocation getLastKnownLocation() {
        return new c.t.m.g.ea(22.5431234, 114.0579876);
    }
}
