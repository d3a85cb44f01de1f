package android.database;

/** The part of Cursor the stub apps use. */
public interface Cursor {
    boolean moveToNext();
    int getColumnIndex(String name);
    String getColumnName(int index);
    String getString(int index);
    int getCount();
    void close();
}
