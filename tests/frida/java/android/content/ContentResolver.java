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
}
