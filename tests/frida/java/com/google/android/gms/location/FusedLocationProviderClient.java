package com.google.android.gms.location;

/**
 * An interface, as from play-services-location 21: hooking it directly is impossible; the agent
 * hooks the class LocationServices.getFusedLocationProviderClient returns.
 */
public interface FusedLocationProviderClient {
    Object getLastLocation();
    Object getCurrentLocation(int priority, Object cancellationToken);
    Object requestLocationUpdates(Object request, Object callback, Object looper);
}
