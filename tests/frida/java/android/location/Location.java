package android.location;

/** A fix, with the provider name and the setters the real class has. */
public class Location {
    private final String provider;
    private double lat;
    private double lon;
    public Location(String provider, double lat, double lon) { this.provider = provider; this.lat = lat; this.lon = lon; }
    public String getProvider() { return provider; }
    public double getLatitude() { return lat; }
    public double getLongitude() { return lon; }
    public void setLatitude(double v) { lat = v; }
    public void setLongitude(double v) { lon = v; }
    @Override public String toString() { return "Location[" + provider + " " + lat + "," + lon + "]"; }
}
