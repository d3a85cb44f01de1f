package com.tencent.map.geolocation;

public class TencentLocationRequest {
    private TencentLocationRequest() {}
    public static TencentLocationRequest create() { return new TencentLocationRequest(); }
}
