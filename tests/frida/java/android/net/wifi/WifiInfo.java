package android.net.wifi;

/** Wi-Fi connection record. */
public class WifiInfo {
    public String getMacAddress() { return "02:00:00:00:00:00"; }
    public String getSSID() { return "\"office-wifi\""; }
    public String getBSSID() { return "a4:5e:60:11:22:33"; }
}
