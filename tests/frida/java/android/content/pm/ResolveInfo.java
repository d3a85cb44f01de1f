package android.content.pm;

/** One answer to an intent query. */
public class ResolveInfo {
    public ActivityInfo activityInfo;
    public ResolveInfo() {}
}
