package dev.jlay.validate;

import java.util.List;

/**
 * A verdict plus the state change it implies, applied only after the frame is
 * accepted (so a drop never touches state), except for a {@link #withheld} frame:
 * valid, not passed on, but what it says is kept.
 *
 * @param keptWhenDropped the update applies although the verdict drops the frame
 * @param emptiedCollections for a #commit whose inversion passed: the collections its new tree
 *     proves empty ({@link dev.jlay.atproto.mst.InversionResult#emptiedCollections}); null when
 *     validation did not prove it (other messages, a lenient commit without inversion)
 */
public record Checked(Verdict verdict, Update update, boolean keptWhenDropped, List<String> emptiedCollections) {

    public Checked(Verdict verdict, Update update, boolean keptWhenDropped) {
        this(verdict, update, keptWhenDropped, null);
    }

    public Checked(Verdict verdict, Update update) {
        this(verdict, update, false);
    }

    /** The same, with what the commit's inversion proved empty. */
    Checked withEmptiedCollections(List<String> emptied) {
        return new Checked(verdict, update, keptWhenDropped, emptied);
    }

    /** The state change a passing frame makes. */
    public sealed interface Update {
        record None() implements Update {}

        record Advance(String did, String host, RepoHead next, boolean discontinuity) implements Update {}

        record UpstreamStatus(String did, String host, boolean active, String status) implements Update {}
    }

    static final Update NONE = new Update.None();

    static Checked drop(DropReason reason, String detail) {
        return new Checked(Verdict.drop(reason, detail), NONE);
    }

    static Checked drop(DropReason reason) {
        return new Checked(Verdict.drop(reason), NONE);
    }

    /** Valid and changes no chain state (e.g. #identity). */
    public static Checked passThrough() {
        return new Checked(Verdict.PASS, NONE);
    }

    /**
     * Valid, but not passed on: the verdict drops it (and is counted), the update is still applied.
     * An upstream #account of an account this relay throttles: the host's status is recorded, the
     * relay's own (throttled) is what consumers were told.
     */
    static Checked withheld(DropReason reason, String detail, Update update) {
        return new Checked(Verdict.drop(reason, detail), update, true);
    }

    static Checked pass(Update update) {
        return new Checked(Verdict.PASS, update);
    }

    public void applyTo(ChainState state) {
        if (!verdict.passes() && !keptWhenDropped) return;
        switch (update) {
            case Update.None n -> {}
            case Update.Advance a -> state.advance(a.did(), a.host(), a.next(), a.discontinuity());
            case Update.UpstreamStatus u -> state.upstreamStatus(u.did(), u.host(), u.active(), u.status());
        }
    }
}
