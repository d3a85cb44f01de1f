package com.tencent.map.geolocation;

/** Tencent's fix is an interface; the SDK hands out objects of its own (obfuscated) classes. */
public interface TencentLocation {
    double getLatitude();
    double getLongitude();
    String getProvider();
}
