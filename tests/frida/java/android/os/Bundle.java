package android.os;

/** Empty stand-in. */
public class Bundle {}
