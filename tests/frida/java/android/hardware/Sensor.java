package android.hardware;

/** A sensor of one Sensor.TYPE_* kind. */
public final class Sensor {
    public static final int TYPE_ACCELEROMETER = 1;
    public static final int TYPE_STEP_COUNTER = 19;
    public static final int TYPE_HEART_RATE = 21;
    private final int type;
    public Sensor(int type) { this.type = type; }
    public int getType() { return type; }
    @Override public String toString() { return "Sensor{type=" + type + "}"; }
}
