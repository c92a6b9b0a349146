package dev.jlay.atproto.syntax;

/**
 * A Timestamp Identifier: 13 chars of base32-sortable ({@code 234567abcdefghijklmnopqrstuvwxyz})
 * encoding a 64-bit integer: 0 (1 bit) | microseconds since the Unix epoch (53 bits) | clock id (10 bits).
 * The string order equals the unsigned integer order, so TIDs compare by {@link #value()}.
 */
public record Tid(long value) implements Comparable<Tid> {
    public static final int LENGTH = 13;
    private static final String ALPHABET = "234567abcdefghijklmnopqrstuvwxyz";
    private static final byte[] DECODE = new byte[128];
    public static final int MAX_CLOCK_ID = 1023;
    public static final long MAX_MICROS = (1L << 53) - 1;

    static {
        java.util.Arrays.fill(DECODE, (byte) -1);
        for (int i = 0; i < ALPHABET.length(); i++) {
            DECODE[ALPHABET.charAt(i)] = (byte) i;
        }
    }

    public static Tid of(long micros, int clockId) {
        if (micros < 0 || micros > MAX_MICROS) {
            throw new SyntaxException("TID microseconds out of range: " + micros);
        }
        if (clockId < 0 || clockId > MAX_CLOCK_ID) {
            throw new SyntaxException("TID clock id out of range: " + clockId);
        }
        return new Tid((micros << 10) | clockId);
    }

    public static boolean isValid(String s) {
        if (s == null || s.length() != LENGTH) {
            return false;
        }
        char first = s.charAt(0);
        if (first >= 128 || DECODE[first] < 0 || DECODE[first] > 15) {
            return false;
        }
        for (int i = 1; i < LENGTH; i++) {
            char c = s.charAt(i);
            if (c >= 128 || DECODE[c] < 0) {
                return false;
            }
        }
        return true;
    }

    /**
     * Parses a TID string. The syntax allows a first char up to {@code j}, which sets the top bit of the
     * 64-bit integer: such a value is kept as is and ordered as unsigned, so parsing accepts exactly
     * what {@link #isValid} accepts.
     */
    public static Tid parse(String s) {
        if (!isValid(s)) {
            throw SyntaxException.invalid("TID", s);
        }
        long v = 0;
        for (int i = 0; i < LENGTH; i++) {
            v = (v << 5) | DECODE[s.charAt(i)];
        }
        return new Tid(v);
    }

    /** Microseconds since the epoch (only meaningful when the top bit is clear, as for every real TID). */
    public long micros() {
        return value >>> 10;
    }

    public int clockId() {
        return (int) (value & MAX_CLOCK_ID);
    }

    @Override
    public int compareTo(Tid o) {
        return Long.compareUnsigned(value, o.value);
    }

    @Override
    public String toString() {
        char[] out = new char[LENGTH];
        long v = value;
        for (int i = LENGTH - 1; i >= 0; i--) {
            out[i] = ALPHABET.charAt((int) (v & 31));
            v >>>= 5;
        }
        return new String(out);
    }
}
