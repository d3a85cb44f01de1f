package android.content;

/** One clip of text. */
public class ClipData {
    private final CharSequence text;
    public ClipData(CharSequence text) { this.text = text; }
    @Override public String toString() { return "ClipData { text/plain {T:" + text + "} }"; }
}
