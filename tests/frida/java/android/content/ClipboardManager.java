package android.content;

/** Clipboard stand-in holding one clip. */
public class ClipboardManager {
    private ClipData clip = new ClipData("verification code 424242");
    public ClipData getPrimaryClip() { return clip; }
    public boolean hasPrimaryClip() { return clip != null; }
    public void setPrimaryClip(ClipData c) { clip = c; }
}
