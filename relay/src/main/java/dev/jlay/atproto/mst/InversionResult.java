package dev.jlay.atproto.mst;

import java.util.List;

/**
 * Outcome of a commit inversion; {@link Status#label()} is a stable metric label.
 *
 * @param emptiedCollections when OK: the collections ({@code <nsid>} of {@code <nsid>/<rkey>}) the
 *     new tree proves to have no record left, from the neighbours of each deleted key (a repo's keys
 *     are sorted, so a collection's records are one run: it is empty exactly when no neighbour of
 *     a key deleted from it shares its {@code <nsid>/}). Found on the path the delete's lookup has
 *     just loaded, so it costs no block; the collection index uses it instead of reading the CAR
 *     again. Empty on failure.
 */
public record InversionResult(Status status, String detail, List<String> emptiedCollections) {
    public static final InversionResult OK = new InversionResult(Status.OK, "", List.of());

    public InversionResult(Status status, String detail) {
        this(status, detail, List.of());
    }

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

    static InversionResult ok(List<String> emptiedCollections) {
        return emptiedCollections.isEmpty() ? OK : new InversionResult(Status.OK, "", List.copyOf(emptiedCollections));
    }

    static InversionResult fail(Status status, String detail) {
        return new InversionResult(status, detail);
    }
}
