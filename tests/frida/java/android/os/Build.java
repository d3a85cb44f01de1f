package android.os;

/** Device build facts; VERSION.SDK_INT is what the agent reads to pick hooks by API level. */
public final class Build {
    private Build() {}

    public static final class VERSION {
        private VERSION() {}
        public static final int SDK_INT = Integer.getInteger("stub.sdk", 33);
    }
}
