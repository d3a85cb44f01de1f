package android.hardware;

/** registerListener takes the sensor as its second argument, as on Android. */
public class SensorManager {
    public boolean registerListener(Object listener, Sensor sensor, int samplingPeriodUs) { return sensor != null; }
    public boolean registerListener(Object listener, Sensor sensor, int samplingPeriodUs, int maxReportLatencyUs) { return sensor != null; }
}
