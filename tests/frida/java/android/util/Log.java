package android.util;

import java.io.PrintWriter;
import java.io.StringWriter;

/** Stand-in for Android's Log: getStackTraceString renders a whole trace in one call. */
public final class Log {
    private Log() {}

    public static String getStackTraceString(Throwable tr) {
        if (tr == null) return "";
        StringWriter out = new StringWriter();
        tr.printStackTrace(new PrintWriter(out, true));
        return out.toString();
    }
}
