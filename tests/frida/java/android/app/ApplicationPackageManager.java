package android.app;

import android.content.pm.PackageInfo;
import android.content.pm.PackageManager;
import java.util.Arrays;
import java.util.List;

/** The concrete package manager, as on a device. */
public class ApplicationPackageManager extends PackageManager {
    @Override public List<PackageInfo> getInstalledPackages(int flags) {
        return Arrays.asList(new PackageInfo("com.tencent.mm"), new PackageInfo("com.eg.android.AlipayGphone"));
    }
    @Override public PackageInfo getPackageInfo(String packageName, int flags) { return new PackageInfo(packageName); }
}
