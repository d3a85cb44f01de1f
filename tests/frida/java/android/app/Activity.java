package android.app;

/** Lifecycle and permission entry points of an activity. */
public class Activity {
    private int requests;
    protected void onResume() {}
    protected void onPause() {}
    public final void requestPermissions(String[] permissions, int requestCode) { requests++; }
    public int requestCount() { return requests; }
    public void resumeForTest() { onResume(); }
    public void pauseForTest() { onPause(); }
}
