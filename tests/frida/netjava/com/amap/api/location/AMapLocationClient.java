package com.amap.api.location;

/** Stand-in for AMap's location client: the cached fix is a GCJ-02 position in Shenzhen. */
public class AMapLocationClient {
    public AMapLocationClient(Object context) {}

    public AMapLocation getLastKnownLocation() {
        return new AMapLocation("lbs", 22.5405123, 114.0628456, 0, "GCJ02");
    }

    /** A fix the SDK failed to get (error 12: no location permission): zeros, as the SDK gives. */
    public AMapLocation failedFix() {
        return new AMapLocation("lbs", 0.0, 0.0, 12, "GCJ02");
    }
}
