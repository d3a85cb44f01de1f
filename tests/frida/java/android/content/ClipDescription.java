package android.content;

/** Label and MIME type of a clip. */
public class ClipDescription {
    final CharSequence label;
    final String mime;
    public ClipDescription(CharSequence label, String mime) { this.label = label; this.mime = mime; }
    public CharSequence getLabel() { return label; }
}
