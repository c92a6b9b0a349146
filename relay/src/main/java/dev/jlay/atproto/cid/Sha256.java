package dev.jlay.atproto.cid;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/** SHA-256 helper; clones a prototype digest, which is cheaper than a provider lookup per call. */
public final class Sha256 {
    private static final MessageDigest PROTOTYPE;

    static {
        try {
            PROTOTYPE = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private Sha256() {}

    public static MessageDigest newDigest() {
        try {
            return (MessageDigest) PROTOTYPE.clone();
        } catch (CloneNotSupportedException e) {
            try {
                return MessageDigest.getInstance("SHA-256");
            } catch (NoSuchAlgorithmException ex) {
                throw new IllegalStateException(ex);
            }
        }
    }

    public static byte[] hash(byte[] data) {
        return hash(data, 0, data.length);
    }

    public static byte[] hash(byte[] data, int off, int len) {
        var md = newDigest();
        md.update(data, off, len);
        return md.digest();
    }
}
