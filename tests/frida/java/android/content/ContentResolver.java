package android.content;

import android.net.Uri;

/** Stand-in resolver: query returns a row count as text instead of a cursor. */
public class ContentResolver {
    public String query(Uri uri, String[] projection, String selection, String[] args, String order) {
        return "cursor(" + uri + ")";
    }
    public String query(Uri uri, String[] projection, android.os.Bundle extras, Object signal) {
        return "cursor(" + uri + ")";
    }
    // Reads without a query: file descriptors and thumbnails (descriptors as text here).
    public String openFileDescriptor(Uri uri, String mode) { return "fd(" + uri + ")"; }
    public String openAssetFileDescriptor(Uri uri, String mode) { return "afd(" + uri + ")"; }
    public String openTypedAssetFileDescriptor(Uri uri, String mimeType, android.os.Bundle opts) { return "tafd(" + uri + ")"; }
    public String loadThumbnail(Uri uri, Object size, Object signal) { return "bitmap(" + uri + ")"; }
}
