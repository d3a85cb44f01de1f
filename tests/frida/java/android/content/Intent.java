package android.content;

/** Just enough of Intent for explicit starts. */
public class Intent {
    private ComponentName component;
    private String pkg;
    public Intent setComponent(ComponentName c) { component = c; return this; }
    public Intent setPackage(String p) { pkg = p; return this; }
    public ComponentName getComponent() { return component; }
    public String getPackage() { return pkg; }
    @Override public String toString() { return "Intent { cmp=" + (component == null ? "null" : component.getPackageName() + "/" + component.getClassName()) + " }"; }
}
