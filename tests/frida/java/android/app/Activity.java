package android.app;

/** Lifecycle and permission entry points of an activity. */
public class Activity {
    private int requests;
    protected void onStart() {}
    protected void onResume() {}
    protected void onPause() {}
    protected void onStop() {}
    public final void requestPermissions(String[] permissions, int requestCode) { requests++; }
    public int requestCount() { return requests; }
    public void resumeForTest() { onStart(); onResume(); }
    public void pauseForTest() { onPause(); onStop(); }
    /** A dialog of another app over this activity: paused, still visible. */
    public void dialogOverForTest() { onPause(); onResume(); }
}
