package androidx.core.app;

import android.app.Activity;

/** The compat helper forwards to Activity.requestPermissions, as the real one does. */
public final class ActivityCompat {
    private ActivityCompat() {}
    public static void requestPermissions(Activity activity, String[] permissions, int requestCode) {
        activity.requestPermissions(permissions, requestCode);
    }
}
