package com.google.android.gms.internal.location;

import android.content.Context;
import android.location.Location;
import com.google.android.gms.location.FusedLocationProviderClient;

/** Obfuscated implementation of the fused client (returns fixes instead of Tasks). */
public final class zzbp implements FusedLocationProviderClient {
    private final Context context;
    public zzbp(Context context) { this.context = context; }
    @Override public Object getLastLocation() { return new Location("fused", 31.2304, 121.4737); }
    @Override public Object getCurrentLocation(int priority, Object cancellationToken) { return new Location("fused", 31.2305, 121.4738); }
    @Override public Object requestLocationUpdates(Object request, Object callback, Object looper) { return "task"; }
}
