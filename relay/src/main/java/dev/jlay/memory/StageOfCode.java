package dev.jlay.memory;

/** Maps a class of ours to the pipeline stage whose work it does, for sampled allocation stacks. */
final class StageOfCode {
    private StageOfCode() {}

    /** Null for classes outside dev.jlay or outside any stage. */
    static Stage of(String className) {
        if (!className.startsWith("dev.jlay.")) return null;
        String p = className.substring("dev.jlay.".length());
        if (p.startsWith("atproto.mst.")) return Stage.MST;
        if (p.startsWith("atproto.crypto.") || p.startsWith("atproto.repo.") || p.startsWith("atproto.syntax.")
                || p.startsWith("validate.")) return Stage.VALIDATE;
        if (p.startsWith("atproto.")) return Stage.DECODE;
        if (p.startsWith("upstream.")) return Stage.RECEIVE;
        if (p.startsWith("identity.")) return Stage.RESOLVER;
        if (p.startsWith("eventlog.Sequencer") || p.startsWith("eventlog.SeqStamper")) return Stage.SEQUENCE;
        if (p.startsWith("eventlog.")) return Stage.PERSIST;
        if (p.startsWith("downstream.")) return Stage.BROADCAST;
        if (p.startsWith("collections.")) return Stage.INDEX;
        if (p.startsWith("store.")) return Stage.DB;
        return null;
    }
}
