package android.provider;

import android.content.ContentResolver;

/** Stand-in for the settings tables. */
public final class Settings {
    private Settings() {}

    public static final class Secure {
        private Secure() {}
        public static String getString(ContentResolver resolver, String name) {
            if ("android_id".equals(name)) return "a1b2c3d4e5f60718";
            if ("font_scale".equals(name)) return "1.0";
            return null;
        }
        public static int getInt(ContentResolver resolver, String name, int def) { return def; }
    }

    public static final class System {
        private System() {}
        public static String getString(ContentResolver resolver, String name) { return null; }
    }
}
