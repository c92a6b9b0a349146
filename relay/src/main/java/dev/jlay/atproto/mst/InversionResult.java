package dev.jlay.atproto.mst;

/** Outcome of a commit inversion; {@link Status#label()} is a stable metric label. */
public record InversionResult(Status status, String detail) {
    public static final InversionResult OK = new InversionResult(Status.OK, "");

    public enum Status {
        /** The ops, applied in reverse to the new tree, give exactly {@code prevData}. */
        OK,
        /** An MST node needed to prove or invert an op is not in the diff. */
        MISSING_BLOCK,
        /** A created or updated record block is not in the diff. */
        MISSING_RECORD,
        /** The new tree contradicts an op (wrong CID, or a deleted path is still there). */
        OP_MISMATCH,
        /** Inverting the ops does not give {@code prevData}. */
        ROOT_MISMATCH,
        /** A node of the new tree is malformed or breaks an MST invariant. */
        BAD_NODE,
        /** An op is malformed (fields for its action, path shape, duplicate path, too many ops). */
        BAD_OP,
        /** The message has no {@code prevData}, so nothing can be proven. */
        NO_PREV_DATA;

        private final String label = name().toLowerCase(java.util.Locale.ROOT);

        public String label() {
            return label;
        }
    }

    public boolean ok() {
        return status == Status.OK;
    }

    static InversionResult fail(Status status, String detail) {
        return new InversionResult(status, detail);
    }
}
