package android.location;

/** A fix. */
public class Location {
    private final String provider;
    private final double lat;
    private final double lon;
    public Location(String provider, double lat, double lon) { this.provider = provider; this.lat = lat; this.lon = lon; }
    public double getLatitude() { return lat; }
    public double getLongitude() { return lon; }
    @Override public String toString() { return "Location[" + provider + " " + lat + "," + lon + "]"; }
}
