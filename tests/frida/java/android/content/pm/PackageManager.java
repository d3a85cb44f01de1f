package android.content.pm;

import android.content.Intent;
import java.util.List;

/** Abstract like the real one; hooks go to ApplicationPackageManager. */
public abstract class PackageManager {
    public abstract List<PackageInfo> getInstalledPackages(int flags);
    public abstract List<ApplicationInfo> getInstalledApplications(int flags);
    public abstract List<ResolveInfo> queryIntentActivities(Intent intent, int flags);
    public abstract PackageInfo getPackageInfo(String packageName, int flags);
}
