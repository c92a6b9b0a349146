package dev.jlay.pipeline;

import dev.jlay.validate.Verdict;

/** What processing one frame led to. */
public sealed interface Step {

    /** Settled: passed on (already handed to the sequencer) or dropped. */
    record Done(Verdict verdict) implements Step {}

    /**
     * The frame cannot be judged without (fresh) identity: park it and resolve in
     * the background. {@code refresh}: evict the cached identity first (signature
     * or host check failed against it). Only returned for frames that have not
     * been refreshed yet, so a frame re-resolves at most once.
     */
    record NeedIdentity(boolean refresh) implements Step {}
}
