package android.telephony;

/** Stand-in with the framework's name; returns made-up identifiers. No getMeid on purpose. */
public class TelephonyManager {
    private final String imei;

    public TelephonyManager() { this("860000000000001"); }
    public TelephonyManager(String imei) { this.imei = imei; }

    public String getDeviceId() { return imei; }
    public String getDeviceId(int slot) { return imei.substring(0, imei.length() - 1) + slot; }
    public String getImei(int slot) { return getDeviceId(slot); }
    public String getSubscriberId() { return "460001234567890"; }
    public String getLine1Number() { return "+8613800000000"; }
    public String getSimOperator() { return "46000"; }
    public String getNai() { return "user@nai.example"; }
    /** Removed from Android in API 29: on the stub's API 33 the agent must not hook it. */
    public java.util.List<String> getNeighboringCellInfo() { return java.util.List.of("cell-1"); }
}
