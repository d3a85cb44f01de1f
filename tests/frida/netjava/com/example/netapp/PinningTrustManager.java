package com.example.netapp;

import java.security.MessageDigest;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.Base64;
import javax.net.ssl.X509TrustManager;

/** The app's own trust manager that pins one public key (SHA-256 of the SPKI, base64). */
public final class PinningTrustManager implements X509TrustManager {
    private final String pin;

    public PinningTrustManager(String pin) { this.pin = pin; }

    @Override public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        throw new CertificateException("no client certificates");
    }

    @Override public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        try {
            String got = Base64.getEncoder().encodeToString(MessageDigest.getInstance("SHA-256").digest(chain[0].getPublicKey().getEncoded()));
            if (!got.equals(pin)) throw new CertificateException("pinned key mismatch: " + got);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new CertificateException(e);
        }
    }

    @Override public X509Certificate[] getAcceptedIssuers() { return new X509Certificate[0]; }
}
