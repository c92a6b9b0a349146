package dev.jlay.validate;

/**
 * Why a frame was not passed on. A closed set, so it is safe as a metric label
 * ({@code relay_frames_total{type,result="dropped_<label>"}}).
 */
public enum DropReason {
    /** The whole frame is larger than 5 MB. */
    FRAME_TOO_BIG("frame_too_big"),
    /** Header or body does not decode, or a required field is missing. */
    MALFORMED_FRAME("malformed_frame"),
    /** An op-1 message of a type this relay does not relay. */
    UNKNOWN_TYPE("unknown_type"),
    /** An upstream error frame (op -1). */
    UPSTREAM_ERROR("upstream_error"),
    /** {@code blocks} larger than the limit (2,000,000 for #commit, 10,000 for #sync). */
    BLOCKS_TOO_BIG("blocks_too_big"),
    /** More than 200 ops. */
    TOO_MANY_OPS("too_many_ops"),
    /** The CAR does not parse, or a block does not match its CID. */
    BAD_CAR("bad_car"),
    /** CAR roots[0] is not the message's commit CID. */
    CAR_ROOT_MISMATCH("car_root_mismatch"),
    /** The commit block is not in the CAR. */
    COMMIT_BLOCK_MISSING("commit_block_missing"),
    /** The commit block does not decode as a v3 commit. */
    BAD_COMMIT("bad_commit"),
    /** commit.did differs from the message's repo/did. */
    REPO_MISMATCH("repo_mismatch"),
    /** commit.version is not 3. */
    BAD_VERSION("bad_version"),
    /** The message rev is not the commit rev, or not a TID. */
    REV_MISMATCH("rev_mismatch"),
    /** The signature does not verify against the DID's current key (after one re-resolve). */
    BAD_SIGNATURE("bad_signature"),
    /** rev not newer than the stored rev. */
    STALE_REV("stale_rev"),
    /** rev more than 5 minutes in the future. */
    FUTURE_REV("future_rev"),
    /** MST inversion failed or did not reproduce prevData. */
    INVERSION_FAILED("inversion_failed"),
    /** A sync v1.1 commit without prevData (strict mode). */
    MISSING_PREV_DATA("missing_prev_data"),
    /** The account is not active, locally or upstream. */
    ACCOUNT_INACTIVE("account_inactive"),
    /** The account is beyond its host's account limit (locally throttled). */
    ACCOUNT_THROTTLED("account_throttled"),
    /** The frame came from a host that is not the DID's current PDS. */
    WRONG_HOST("wrong_host"),
    /** The DID document could not be resolved. */
    IDENTITY_UNRESOLVED("identity_unresolved"),
    /** The DID document has no usable #atproto key or PDS endpoint. */
    IDENTITY_INCOMPLETE("identity_incomplete"),
    /** Waited for identity longer than the parking bound. */
    PARKING_EXPIRED("parking_expired"),
    /** The parking lot (or the DID's share of it) was full. */
    PARKING_FULL("parking_full"),
    /** An upstream #info: the relay emits its own, never relays one. */
    NOT_RELAYED("not_relayed"),
    /** The pool was shut down while the frame waited. */
    SHUTDOWN("shutdown");

    private final String label;

    DropReason(String label) {
        this.label = label;
    }

    /** The metric / JSON form, e.g. {@code bad_signature}. */
    public String label() {
        return label;
    }
}
