package dev.jlay.validate;

/** What validation decided about one frame. */
public sealed interface Verdict {

    /** Valid: pass it on. */
    record Pass() implements Verdict {}

    /** Valid, but since/prevData does not continue the stored chain: pass it on, count it, record it. */
    record Discontinuity(String detail) implements Verdict {}

    /** Invalid or not ours to pass: never goes downstream. */
    record Drop(DropReason reason, String detail) implements Verdict {
        public Drop {
            if (detail == null) detail = "";
        }
    }

    Pass PASS = new Pass();

    static Drop drop(DropReason reason, String detail) {
        return new Drop(reason, detail);
    }

    static Drop drop(DropReason reason) {
        return new Drop(reason, "");
    }

    /** True when the frame goes downstream. */
    default boolean passes() {
        return !(this instanceof Drop);
    }
}
