package dev.jlay.sim;

import java.util.Locale;

/**
 * A bad frame a simulated host can emit on demand, with the drop reason a strict relay
 * must give it ({@code validate.DropReason} labels; the upstream reader may catch the
 * last two earlier, as {@code oversize} / {@code malformed}).
 */
public enum Fault {
    /** The next commit, signed by a key that is not the account's. */
    BAD_SIGNATURE("bad_signature"),
    /** The account's previous commit sent again: its rev is not newer than the relay's. */
    STALE_REV("stale_rev"),
    /** The next commit with a prevData its ops do not invert to. */
    BROKEN_INVERSION("inversion_failed"),
    /** A commit frame over the 5 MB frame cap. */
    OVERSIZED_FRAME("frame_too_big"),
    /** Bytes that are no CBOR frame at all. */
    GARBAGE("malformed_frame");

    private final String dropReason;

    Fault(String dropReason) {
        this.dropReason = dropReason;
    }

    /** The label of the validator's drop reason for this fault. */
    public String dropReason() {
        return dropReason;
    }

    /** The CLI / HTTP name, e.g. {@code bad-signature}. */
    public String label() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    public static Fault parse(String s) {
        String n = s.strip().toUpperCase(Locale.ROOT).replace('-', '_');
        for (Fault f : values()) {
            if (f.name().equals(n)) return f;
        }
        throw new IllegalArgumentException("unknown fault '" + s + "'; one of bad-signature, stale-rev, "
                + "broken-inversion, oversized-frame, garbage");
    }
}
