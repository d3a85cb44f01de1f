package android.database;

import java.util.ArrayList;
import java.util.List;

/** An in-memory cursor (the real class's name): columns and rows of text. */
public class MatrixCursor implements Cursor {
    private final String[] columns;
    private final List<String[]> rows = new ArrayList<>();
    private int pos = -1;
    public MatrixCursor(String[] columns) { this.columns = columns; }
    public void addRow(String... values) { rows.add(values); }
    @Override public boolean moveToNext() { if (pos + 1 >= rows.size()) return false; pos++; return true; }
    @Override public int getColumnIndex(String name) { for (int i = 0; i < columns.length; i++) if (columns[i].equals(name)) return i; return -1; }
    @Override public String getColumnName(int index) { return columns[index]; }
    @Override public String getString(int index) { return rows.get(pos)[index]; }
    @Override public int getCount() { return rows.size(); }
    @Override public void close() {}
}
