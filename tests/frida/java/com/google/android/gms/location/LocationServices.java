package com.google.android.gms.location;

import android.content.Context;
import com.google.android.gms.internal.location.zzbp;

/** The factory apps call; the implementation class has an obfuscated name, as in the real library. */
public final class LocationServices {
    private LocationServices() {}
    public static FusedLocationProviderClient getFusedLocationProviderClient(Context context) { return new zzbp(context); }
}
