package android.app;

import android.content.Intent;
import android.content.pm.ActivityInfo;
import android.content.pm.ApplicationInfo;
import android.content.pm.PackageInfo;
import android.content.pm.PackageManager;
import android.content.pm.ResolveInfo;
import java.util.Arrays;
import java.util.List;

/** The concrete package manager, as on a device. */
public class ApplicationPackageManager extends PackageManager {
    @Override public List<PackageInfo> getInstalledPackages(int flags) {
        return Arrays.asList(new PackageInfo("com.tencent.mm"), new PackageInfo("com.eg.android.AlipayGphone"));
    }
    @Override public List<ApplicationInfo> getInstalledApplications(int flags) {
        return Arrays.asList(new ApplicationInfo("com.tencent.mm"), new ApplicationInfo("com.eg.android.AlipayGphone"));
    }
    @Override public List<ResolveInfo> queryIntentActivities(Intent intent, int flags) {
        ResolveInfo r = new ResolveInfo();
        r.activityInfo = new ActivityInfo();
        r.activityInfo.packageName = "com.tencent.mm";
        r.activityInfo.name = "com.tencent.mm.ui.LauncherUI";
        return Arrays.asList(r);
    }
    @Override public PackageInfo getPackageInfo(String packageName, int flags) { return new PackageInfo(packageName); }
}
