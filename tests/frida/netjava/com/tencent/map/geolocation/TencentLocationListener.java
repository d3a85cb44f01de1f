package com.tencent.map.geolocation;

public interface TencentLocationListener {
    void onLocationChanged(TencentLocation location, int error, String reason);
    void onStatusUpdate(String name, int status, String desc);
}
