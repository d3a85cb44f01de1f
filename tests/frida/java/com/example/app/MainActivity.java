package com.example.app;

import android.app.Activity;

/** The app's activity; overrides call super like real activities must. */
public class MainActivity extends Activity {
    @Override protected void onResume() { super.onResume(); }
    @Override protected void onPause() { super.onPause(); }
}
