package okhttp3;

import java.security.MessageDigest;
import java.security.cert.Certificate;
import java.util.Base64;
import java.util.List;
import javax.net.ssl.SSLPeerUnverifiedException;

/** Stand-in with OkHttp 3's class name and check(String, List) signature: passes when the leaf's
 * public key hashes (SHA-256, base64) to the pin, throws SSLPeerUnverifiedException otherwise. */
public final class CertificatePinner {
    private final String pin;

    public CertificatePinner(String pin) { this.pin = pin; }

    public void check(String hostname, List<Certificate> peerCertificates) throws SSLPeerUnverifiedException {
        try {
            byte[] spki = peerCertificates.get(0).getPublicKey().getEncoded();
            String got = Base64.getEncoder().encodeToString(MessageDigest.getInstance("SHA-256").digest(spki));
            if (got.equals(pin)) return;
            throw new SSLPeerUnverifiedException("Certificate pinning failure! Peer certificate chain: sha256/" + got + " for " + hostname);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new SSLPeerUnverifiedException(e.toString());
        }
    }
}
