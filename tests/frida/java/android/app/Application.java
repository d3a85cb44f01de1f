package android.app;

import android.content.Context;

/** attach() marks the process start, as ActivityThread does on a device. */
public class Application {
    private Context base;
    final void attach(Context context) { base = context; }
    public void attachForTest(Context context) { attach(context); }
    public Context getBaseContext() { return base; }
}
