package com.baidu.location;

/** Stand-in for Baidu's location client: fixes in BD-09 (bd09ll), Baidu's default datum. */
public class LocationClient {
    public LocationClient(Object context) {}

    public BDLocation getLastKnownLocation() {
        return new BDLocation(22.5467891, 114.0693214, 161, "bd09ll");
    }

    /** A failed request (type 167: server-side failure), with Baidu's "no value" coordinates. */
    public BDLocation failedFix() {
        return new BDLocation(4.9E-324, 4.9E-324, 167, "bd09ll");
    }
}
