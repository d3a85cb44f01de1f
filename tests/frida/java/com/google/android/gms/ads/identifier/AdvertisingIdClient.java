package com.google.android.gms.ads.identifier;

/** Advertising id client stand-in. */
public class AdvertisingIdClient {
    public static final class Info {
        private final String id;
        public Info(String id) { this.id = id; }
        public String getId() { return id; }
        public boolean isLimitAdTrackingEnabled() { return false; }
        @Override public String toString() { return "Info{" + id + "}"; }
    }
    public static Info getAdvertisingIdInfo(Object context) { return new Info("38400000-8cf0-11bd-b23e-10b96e40000d"); }
}
