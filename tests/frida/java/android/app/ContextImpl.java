package android.app;

import android.content.ComponentName;
import android.content.ContentResolver;
import android.content.Context;
import android.content.Intent;

/** The concrete context, as on a device. */
public class ContextImpl extends Context {
    private final String pkg;
    private final ContentResolver resolver = new ContentResolver();
    public ContextImpl(String pkg) { this.pkg = pkg; }
    @Override public String getPackageName() { return pkg; }
    @Override public ComponentName startService(Intent service) { return service.getComponent(); }
    @Override public ContentResolver getContentResolver() { return resolver; }
}
