package dev.jlay.atproto.cid;

import java.util.Arrays;

/**
 * Multibase text encodings used by atproto: base32 (RFC 4648 lower case, no padding, prefix
 * {@code b}) for CIDs and base58btc (prefix {@code z}) for did:key / multikey.
 * The {@code encode*}/{@code decode*} methods work on the bare alphabet (no prefix);
 * {@link #decode(String)} dispatches on the prefix.
 */
public final class Multibase {
    private static final char[] B32 = "abcdefghijklmnopqrstuvwxyz234567".toCharArray();
    private static final char[] B58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz".toCharArray();
    private static final byte[] B32_INDEX = index(B32);
    private static final byte[] B58_INDEX = index(B58);

    private Multibase() {}

    private static byte[] index(char[] alphabet) {
        byte[] idx = new byte[128];
        Arrays.fill(idx, (byte) -1);
        for (int i = 0; i < alphabet.length; i++) {
            idx[alphabet[i]] = (byte) i;
        }
        return idx;
    }

    /** Decodes a multibase string with prefix {@code b} (base32) or {@code z} (base58btc). */
    public static byte[] decode(String multibase) {
        if (multibase == null || multibase.isEmpty()) {
            throw new CidException("empty multibase string");
        }
        return switch (multibase.charAt(0)) {
            case 'b' -> decodeBase32(multibase.substring(1));
            case 'z' -> decodeBase58btc(multibase.substring(1));
            default -> throw new CidException("unsupported multibase prefix: " + multibase.charAt(0));
        };
    }

    /** RFC 4648 base32, lower case, no padding, no prefix. */
    public static String encodeBase32(byte[] data) {
        var sb = new StringBuilder((data.length * 8 + 4) / 5);
        int buffer = 0;
        int bits = 0;
        for (byte b : data) {
            buffer = (buffer << 8) | (b & 0xff);
            bits += 8;
            while (bits >= 5) {
                sb.append(B32[(buffer >>> (bits - 5)) & 31]);
                bits -= 5;
            }
        }
        if (bits > 0) {
            sb.append(B32[(buffer << (5 - bits)) & 31]);
        }
        return sb.toString();
    }

    /** Inverse of {@link #encodeBase32}; rejects upper case, padding and non-zero trailing bits. */
    public static byte[] decodeBase32(String s) {
        int n = s.length();
        int rem = n % 8;
        if (rem == 1 || rem == 3 || rem == 6) {
            throw new CidException("invalid base32 length");
        }
        byte[] out = new byte[n * 5 / 8];
        int buffer = 0;
        int bits = 0;
        int o = 0;
        for (int i = 0; i < n; i++) {
            char c = s.charAt(i);
            int v = c < 128 ? B32_INDEX[c] : -1;
            if (v < 0) {
                throw new CidException("invalid base32 character");
            }
            buffer = (buffer << 5) | v;
            bits += 5;
            if (bits >= 8) {
                out[o++] = (byte) (buffer >>> (bits - 8));
                bits -= 8;
            }
        }
        if ((buffer & ((1 << bits) - 1)) != 0) {
            throw new CidException("non-zero trailing base32 bits");
        }
        return out;
    }

    /** Bitcoin base58, no prefix. */
    public static String encodeBase58btc(byte[] data) {
        int zeros = 0;
        while (zeros < data.length && data[zeros] == 0) {
            zeros++;
        }
        // base-256 -> base-58 by repeated division; inputs here are short keys.
        byte[] digits = new byte[data.length * 138 / 100 + 1];
        int len = 0;
        for (int i = zeros; i < data.length; i++) {
            int carry = data[i] & 0xff;
            for (int j = 0; j < len; j++) {
                carry += (digits[j] & 0xff) << 8;
                digits[j] = (byte) (carry % 58);
                carry /= 58;
            }
            while (carry > 0) {
                digits[len++] = (byte) (carry % 58);
                carry /= 58;
            }
        }
        var sb = new StringBuilder(zeros + len);
        sb.append("1".repeat(zeros));
        for (int j = len - 1; j >= 0; j--) {
            sb.append(B58[digits[j]]);
        }
        return sb.toString();
    }

    /** Inverse of {@link #encodeBase58btc}. */
    public static byte[] decodeBase58btc(String s) {
        int zeros = 0;
        while (zeros < s.length() && s.charAt(zeros) == '1') {
            zeros++;
        }
        byte[] bytes = new byte[s.length()];
        int len = 0;
        for (int i = zeros; i < s.length(); i++) {
            char c = s.charAt(i);
            int carry = c < 128 ? B58_INDEX[c] : -1;
            if (carry < 0) {
                throw new CidException("invalid base58 character");
            }
            for (int j = 0; j < len; j++) {
                carry += (bytes[j] & 0xff) * 58;
                bytes[j] = (byte) carry;
                carry >>>= 8;
            }
            while (carry > 0) {
                bytes[len++] = (byte) carry;
                carry >>>= 8;
            }
        }
        byte[] out = new byte[zeros + len];
        for (int j = 0; j < len; j++) {
            out[zeros + j] = bytes[len - 1 - j];
        }
        return out;
    }
}
