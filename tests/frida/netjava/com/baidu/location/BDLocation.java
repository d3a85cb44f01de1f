package com.baidu.location;

/** Stand-in for Baidu's fix class (not a Location): own coordinates, a coordinate type and a
 * location type (61 GPS, 161 network; 62/63/167 failures, with 4.9E-324 as the coordinates). */
public class BDLocation {
    private double lat;
    private double lon;
    private final int locType;
    private final String coorType;

    public BDLocation(double lat, double lon, int locType, String coorType) {
        this.lat = lat;
        this.lon = lon;
        this.locType = locType;
        this.coorType = coorType;
    }

    public double getLatitude() { return lat; }
    public double getLongitude() { return lon; }
    public void setLatitude(double v) { lat = v; }
    public void setLongitude(double v) { lon = v; }
    public int getLocType() { return locType; }
    public String getCoorType() { return coorType; }
    @Override public String toString() { return "BDLocation[" + lat + "," + lon + " " + coorType + " type " + locType + "]"; }
}
