package android.location;

/** Location service stand-in. */
public class LocationManager {
    public Location getLastKnownLocation(String provider) { return new Location(provider, 39.9042, 116.4074); }
    public void requestLocationUpdates(String provider, long minTime, float minDistance, Object listener) {}
}
