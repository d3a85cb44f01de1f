package com.google.android.gms.location;

/** An interface, as in recent Play services: hooking it must be reported as skipped (abstract). */
public interface FusedLocationProviderClient {
    Object getLastLocation();
}
