package dev.jlay.upstream;

/** Why the reader did not hand a message on. Low cardinality: usable as a metric label. */
public enum UpstreamDropReason {
    /** Larger than the frame cap. */
    OVERSIZE("oversize"),
    /** Header or payload not well-formed CBOR; the connection is closed, as the spec asks. */
    MALFORMED("malformed"),
    /** seq not greater than the previous one on this connection (or than the resume cursor). */
    SEQ_NOT_INCREASING("seq_not_increasing"),
    /** A repo message without a positive seq. */
    MISSING_SEQ("missing_seq"),
    /** A repo message without a repo/did field. */
    MISSING_DID("missing_did"),
    /** A message type we do not know (skipped, as the spec asks). */
    UNKNOWN_TYPE("unknown_type"),
    /** A header op other than 1 and -1. */
    UNKNOWN_OP("unknown_op"),
    /** An error frame (op -1): logged; the host closes after it. */
    ERROR_FRAME("error_frame"),
    /** An #info frame (e.g. OutdatedCursor): logged, not forwarded. */
    INFO("info"),
    /** A text WebSocket message: not part of the protocol. */
    TEXT_MESSAGE("text_message"),
    /** More pings in a second than a host has reason to send: the connection is closed (each ping costs a pong). */
    PING_FLOOD("ping_flood"),
    /**
     * A fragmented message the relay-wide reassembly budget could not take: the connection ends and
     * the host is read again from its cursor after a backoff.
     */
    REASSEMBLY_FULL("reassembly_full");

    private final String label;

    UpstreamDropReason(String label) {
        this.label = label;
    }

    public String label() {
        return label;
    }
}
