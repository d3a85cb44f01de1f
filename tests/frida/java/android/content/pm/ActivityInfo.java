package android.content.pm;

/** Activity record. */
public class ActivityInfo {
    public String packageName;
    public String name;
    public ApplicationInfo applicationInfo;
    public ActivityInfo() {}
}
