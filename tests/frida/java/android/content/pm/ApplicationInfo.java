package android.content.pm;

/** Application record. */
public class ApplicationInfo {
    public String packageName;
    public ApplicationInfo() {}
    public ApplicationInfo(String packageName) { this.packageName = packageName; }
    @Override public String toString() { return "ApplicationInfo{" + packageName + "}"; }
}
