package android.content.pm;

/** Package record (public fields, as in the real class). */
public class PackageInfo {
    public String packageName;
    public ApplicationInfo applicationInfo;
    public PackageInfo() {}
    public PackageInfo(String packageName) { this.packageName = packageName; }
    @Override public String toString() { return "PackageInfo{" + packageName + "}"; }
}
