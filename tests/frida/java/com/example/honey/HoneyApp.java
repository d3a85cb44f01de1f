package com.example.honey;

import android.app.ApplicationPackageManager;
import android.content.ClipData;
import android.content.ClipboardManager;
import android.content.ContentResolver;
import android.content.Intent;
import android.content.pm.ApplicationInfo;
import android.content.pm.PackageInfo;
import android.content.pm.ResolveInfo;
import android.database.Cursor;
import android.location.Location;
import android.location.LocationManager;
import android.net.Uri;
import android.telephony.TelephonyManager;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import javax.crypto.Cipher;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * The honey-object and cipher test "app" (stub Android classes on a desktop JVM, under the real
 * agent). Reads commands from stdin, prints what it got as "got KEY VALUE" lines:
 *   objects      location (a system fix and the app's own), contacts, messages, clipboard
 *                (text and a URI clip), installed packages / applications / launcher query
 *   cipher       AES/CBC encryption of a JSON holding the IMEI, four ways (doFinal(byte[]),
 *                update+doFinal, doFinal into the caller's array, heap ByteBuffers), three
 *                more with direct ByteBuffers (doFinal, update+doFinal, in place), and one
 *                decryption; prints "got ctN <base64>" and "got roundtrip ok"
 *   cipherflood N   N encryptions as fast as possible
 *   exit
 * Every command ends with "done <command>".
 */
public final class HoneyApp {
    private HoneyApp() {}

    static void out(String line) {
        System.out.println(line);
        System.out.flush();
    }

    static final byte[] KEY = "0123456789abcdef".getBytes(StandardCharsets.US_ASCII);
    static final byte[] IV = "fedcba9876543210".getBytes(StandardCharsets.US_ASCII);

    public static void main(String[] args) throws Exception {
        out("ready " + ProcessHandle.current().pid());
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in));
        String line;
        while ((line = in.readLine()) != null) {
            String[] w = line.trim().split("\\s+");
            if (w.length == 0 || w[0].isEmpty()) continue;
            switch (w[0]) {
                case "objects": objects(); break;
                case "cipher": cipher(); break;
                case "cipherflood": flood(Integer.parseInt(w[1])); break;
                case "exit": System.exit(0); return;
                default: out("unknown " + w[0]); continue;
            }
            out("done " + w[0]);
        }
        System.exit(0);
    }

    static void objects() {
        Location fix = new LocationManager().getLastKnownLocation("gps");
        out("got fix " + fix.getLatitude() + "," + fix.getLongitude() + " " + fix);
        Location shop = new Location("shop", 30.0, 120.0);
        out("got shop " + shop.getLatitude() + "," + shop.getLongitude());
        ContentResolver cr = new ContentResolver();
        Cursor phones = cr.query(Uri.parse("content://com.android.contacts/data/phones"), null, null, null, null);
        while (phones.moveToNext()) {
            out("got phone " + phones.getString(phones.getColumnIndex("display_name")) + "|" + phones.getString(phones.getColumnIndex("data1")) + "|" + phones.getString(phones.getColumnIndex("data4")));
        }
        Cursor data = cr.query(Uri.parse("content://com.android.contacts/data"), null, null, null, null);
        while (data.moveToNext()) out("got data " + data.getString(data.getColumnIndex("mimetype")) + "|" + data.getString(data.getColumnIndex("data1")));
        Cursor sms = cr.query(Uri.parse("content://sms/inbox"), null, null, null, null);
        while (sms.moveToNext()) out("got sms " + sms.getString(sms.getColumnIndex("display_name")) + "|" + sms.getString(sms.getColumnIndex("body")));
        ClipboardManager cm = new ClipboardManager();
        ClipData clip = cm.getPrimaryClip();
        out("got clip " + clip.getItemAt(0).getText() + "|" + clip.getItemAt(0).coerceToText(null));
        cm.setPrimaryClip(ClipData.newRawUri("link", "content://media/1"));
        out("got clipuri " + cm.getPrimaryClip().getItemAt(0).coerceToText(null));
        ClipData own = ClipData.newPlainText("mine", "text the app built itself");
        out("got ownclip " + own.getItemAt(0).getText());
        ApplicationPackageManager pm = new ApplicationPackageManager();
        StringBuilder pk = new StringBuilder();
        for (PackageInfo p : pm.getInstalledPackages(0)) pk.append(p.packageName).append(p.applicationInfo != null ? "+app" : "").append(',');
        out("got packages " + pk);
        StringBuilder ap = new StringBuilder();
        for (ApplicationInfo a : pm.getInstalledApplications(0)) ap.append(a.packageName).append(',');
        out("got applications " + ap);
        StringBuilder ri = new StringBuilder();
        for (ResolveInfo r : pm.queryIntentActivities(new Intent(), 0)) ri.append(r.activityInfo.packageName).append('/').append(r.activityInfo.name).append(',');
        out("got launchers " + ri);
    }

    static Cipher enc() throws Exception {
        Cipher c = Cipher.getInstance("AES/CBC/PKCS5Padding");
        c.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(KEY, "AES"), new IvParameterSpec(IV));
        return c;
    }

    static void cipher() throws Exception {
        String imei = new TelephonyManager().getDeviceId();
        byte[] plain = ("{\"imei\":\"" + imei + "\",\"os\":\"android\",\"sdk\":\"honey-test\"}").getBytes(StandardCharsets.UTF_8);
        Cipher c = enc();
        byte[] ct1 = c.doFinal(plain);
        out("got ct1 " + Base64.getEncoder().encodeToString(ct1));
        byte[] a = c.update(plain, 0, 20);
        byte[] b = c.doFinal(plain, 20, plain.length - 20);
        byte[] ct2 = new byte[(a == null ? 0 : a.length) + b.length];
        if (a != null) System.arraycopy(a, 0, ct2, 0, a.length);
        System.arraycopy(b, 0, ct2, ct2.length - b.length, b.length);
        out("got ct2 " + Base64.getEncoder().encodeToString(ct2));
        byte[] outBuf = new byte[8 + c.getOutputSize(plain.length)];
        int n = c.doFinal(plain, 0, plain.length, outBuf, 8);
        byte[] ct3 = java.util.Arrays.copyOfRange(outBuf, 8, 8 + n);
        out("got ct3 " + Base64.getEncoder().encodeToString(ct3));
        ByteBuffer inB = ByteBuffer.wrap(plain);
        ByteBuffer outB = ByteBuffer.allocate(c.getOutputSize(plain.length));
        int m = c.doFinal(inB, outB);
        out("got ct4 " + Base64.getEncoder().encodeToString(java.util.Arrays.copyOf(outB.array(), m)));
        // direct buffers (what NIO and native-backed code hand over): one doFinal, then
        // update + doFinal with the input at a non-zero position, then an in-place encryption
        // (output written over the input's own memory)
        ByteBuffer dIn = ByteBuffer.allocateDirect(plain.length);
        dIn.put(plain).flip();
        ByteBuffer dOut = ByteBuffer.allocateDirect(c.getOutputSize(plain.length));
        c.doFinal(dIn, dOut);
        dOut.flip();
        out("got ct5 " + Base64.getEncoder().encodeToString(bytesOf(dOut)));
        ByteBuffer dIn2 = ByteBuffer.allocateDirect(plain.length + 7);
        dIn2.put(new byte[7]).put(plain).flip().position(7);
        ByteBuffer dOut2 = ByteBuffer.allocateDirect(c.getOutputSize(plain.length) + 16);
        dIn2.limit(7 + 20);
        c.update(dIn2, dOut2);
        dIn2.limit(7 + plain.length);
        c.doFinal(dIn2, dOut2);
        dOut2.flip();
        out("got ct6 " + Base64.getEncoder().encodeToString(bytesOf(dOut2)));
        ByteBuffer same = ByteBuffer.allocateDirect(c.getOutputSize(plain.length));
        same.put(plain).flip();
        ByteBuffer sameOut = same.duplicate();
        sameOut.clear();
        int k = c.doFinal(same, sameOut);
        out("got ct7 " + Base64.getEncoder().encodeToString(bytesOf(sameOut.flip())) + " " + k);
        Cipher d = Cipher.getInstance("AES/CBC/PKCS5Padding");
        d.init(Cipher.DECRYPT_MODE, new SecretKeySpec(KEY, "AES"), new IvParameterSpec(IV));
        out("got roundtrip " + (new String(d.doFinal(ct1), StandardCharsets.UTF_8).contains(imei) ? "ok" : "bad"));
    }

    static byte[] bytesOf(ByteBuffer b) {
        byte[] out = new byte[b.remaining()];
        b.duplicate().get(out);
        return out;
    }

    static void flood(int n) throws Exception {
        Cipher c = enc();
        long sink = 0;
        for (int i = 0; i < n; i++) {
            sink += c.doFinal(("{\"i\":" + i + "}").getBytes(StandardCharsets.UTF_8)).length;
        }
        out("got flood " + sink);
    }
}
