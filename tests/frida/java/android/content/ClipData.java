package android.content;

/** One clip of text (or of a URI), with the real class's item and description. */
public class ClipData {
    /** One item: text, or a URI with no text. */
    public static class Item {
        private final CharSequence text;
        private final String uri;
        public Item(CharSequence text) { this.text = text; this.uri = null; }
        public Item(CharSequence text, String uri) { this.text = text; this.uri = uri; }
        public CharSequence getText() { return text; }
        public CharSequence coerceToText(Context context) { return text != null ? text : (uri != null ? uri : ""); }
    }
    private final ClipDescription description;
    private final Item item;
    public ClipData(CharSequence text) { this(new ClipDescription("text", "text/plain"), new Item(text)); }
    public ClipData(ClipDescription description, Item item) { this.description = description; this.item = item; }
    public static ClipData newPlainText(CharSequence label, CharSequence text) { return new ClipData(new ClipDescription(label, "text/plain"), new Item(text)); }
    public static ClipData newRawUri(CharSequence label, String uri) { return new ClipData(new ClipDescription(label, "text/uri-list"), new Item(null, uri)); }
    public ClipDescription getDescription() { return description; }
    public int getItemCount() { return 1; }
    public Item getItemAt(int i) { return item; }
    @Override public String toString() { return "ClipData { " + description.mime + " {" + (item.text != null ? "T:" + item.text : "U:" + item.uri) + "} }"; }
}
