package android.content;

import android.database.Cursor;
import android.database.MatrixCursor;
import android.net.Uri;

/** Stand-in resolver: queries return in-memory cursors with a few made-up rows. */
public class ContentResolver {
    static Cursor rows(Uri uri) {
        String u = String.valueOf(uri);
        if (u.startsWith("content://com.android.contacts/data/phones")) {
            MatrixCursor c = new MatrixCursor(new String[] {"_id", "display_name", "data1", "data4"});
            c.addRow("1", "Real Person One", "13800000001", "+8613800000001");
            c.addRow("2", "Real Person Two", "13800000002", "+8613800000002");
            return c;
        }
        if (u.startsWith("content://com.android.contacts")) {
            MatrixCursor c = new MatrixCursor(new String[] {"_id", "display_name", "mimetype", "data1"});
            c.addRow("1", "Real Person One", "vnd.android.cursor.item/name", "Real Person One");
            c.addRow("2", "Real Person One", "vnd.android.cursor.item/phone_v2", "13800000001");
            c.addRow("3", "Real Person One", "vnd.android.cursor.item/email_v2", "one@real.example");
            return c;
        }
        MatrixCursor c = new MatrixCursor(new String[] {"_id", "address", "body", "display_name"});
        c.addRow("1", "10086", "real message body", "Real Sender");
        return c;
    }
    public Cursor query(Uri uri, String[] projection, String selection, String[] args, String order) {
        return rows(uri);
    }
    public Cursor query(Uri uri, String[] projection, android.os.Bundle extras, Object signal) {
        return rows(uri);
    }
    // Reads without a query: file descriptors and thumbnails (descriptors as text here).
    public String openFileDescriptor(Uri uri, String mode) { return "fd(" + uri + ")"; }
    public String openAssetFileDescriptor(Uri uri, String mode) { return "afd(" + uri + ")"; }
    public String openTypedAssetFileDescriptor(Uri uri, String mimeType, android.os.Bundle opts) { return "tafd(" + uri + ")"; }
    public String loadThumbnail(Uri uri, Object size, Object signal) { return "bitmap(" + uri + ")"; }
}
