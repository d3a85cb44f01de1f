package android.graphics;

import android.content.ContentResolver;
import android.net.Uri;
import java.io.File;

/** Decoder sources: from a content URI (media store) or from a file. */
public final class ImageDecoder {
    private ImageDecoder() {}

    public static final class Source {
        private final String what;
        Source(String what) { this.what = what; }
        @Override public String toString() { return "Source(" + what + ")"; }
    }

    public static Source createSource(ContentResolver cr, Uri uri) { return new Source(String.valueOf(uri)); }
    public static Source createSource(File file) { return new Source(file.getPath()); }
}
