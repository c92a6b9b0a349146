package dev.jlay.sim;

import java.util.ArrayDeque;

/** The next frame a host emits (seq not yet stamped). Called by the host's one emitter thread. */
@FunctionalInterface
public interface FrameSource {
    byte[] next();

    /**
     * {@code count} frames of {@code live} made now, served first; then {@code live} again. Signing
     * and MST work happen up front, so a measurement is not limited by the simulator's CPU.
     */
    static FrameSource pregenerated(FrameSource live, int count) {
        var ready = new ArrayDeque<byte[]>(count);
        for (int i = 0; i < count; i++) ready.add(live.next());
        return () -> {
            byte[] f = ready.poll();
            return f != null ? f : live.next();
        };
    }
}
