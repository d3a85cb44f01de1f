package android.content;

/** Abstract like the real one: start methods live in the concrete ContextImpl. */
public abstract class Context {
    public abstract String getPackageName();
    public abstract ComponentName startService(Intent service);
    public abstract ContentResolver getContentResolver();
}
