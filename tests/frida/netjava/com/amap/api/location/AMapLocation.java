package com.amap.api.location;

import android.location.Location;

/** Stand-in for AMap's fix class: like the real one it extends Location but keeps its own
 * coordinates and overrides the getters and setters (so Location's hooks never see them). */
public class AMapLocation extends Location {
    private double la;
    private double lo;
    private final int errorCode;
    private final String coordType;

    public AMapLocation(String provider, double lat, double lon, int errorCode, String coordType) {
        super(provider, 0.0, 0.0);
        this.la = lat;
        this.lo = lon;
        this.errorCode = errorCode;
        this.coordType = coordType;
    }

    @Override public double getLatitude() { return la; }
    @Override public double getLongitude() { return lo; }
    @Override public void setLatitude(double v) { la = v; }
    @Override public void setLongitude(double v) { lo = v; }
    public int getErrorCode() { return errorCode; }
    public String getCoordType() { return coordType; }
    @Override public String toString() { return "AMapLocation[" + getProvider() + " " + la + "," + lo + " " + coordType + " err " + errorCode + "]"; }
}
