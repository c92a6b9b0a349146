package dev.jlay.validate;

/**
 * A verdict plus the state change it implies, applied only after the frame is
 * accepted (so a drop never touches state).
 */
public record Checked(Verdict verdict, Update update) {

    /** The state change a passing frame makes. */
    public sealed interface Update {
        record None() implements Update {}

        record Advance(String did, String host, RepoState next, boolean discontinuity) implements Update {}

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

    static Checked pass(Update update) {
        return new Checked(Verdict.PASS, update);
    }

    public void applyTo(ChainState state) {
        if (!verdict.passes()) return;
        switch (update) {
            case Update.None n -> {}
            case Update.Advance a -> state.advance(a.did(), a.host(), a.next(), a.discontinuity());
            case Update.UpstreamStatus u -> state.upstreamStatus(u.did(), u.host(), u.active(), u.status());
        }
    }
}
