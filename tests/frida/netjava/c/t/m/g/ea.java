package c.t.m.g;

import com.tencent.map.geolocation.TencentLocation;

/** An obfuscated implementation class, the kind the manager returns as its cached fix. */
public final class ea implements TencentLocation {
    private final double lat;
    private final double lon;
    public ea(double lat, double lon) { this.lat = lat; this.lon = lon; }
    @Override public double getLatitude() { return lat; }
    @Override public double getLongitude() { return lon; }
    @Override public String getProvider() { return "network"; }
}
