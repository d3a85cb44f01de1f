package android.content.pm;

/** Package record. */
public class PackageInfo {
    public final String packageName;
    public PackageInfo(String packageName) { this.packageName = packageName; }
    @Override public String toString() { return "PackageInfo{" + packageName + "}"; }
}
