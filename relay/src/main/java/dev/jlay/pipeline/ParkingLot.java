package dev.jlay.pipeline;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Frames waiting for their DID's identity, FIFO per DID. Owned by one worker
 * thread (a DID always maps to the same worker), so it takes no locks; the
 * totals across all workers' lots are kept in shared {@link Gauges}.
 *
 * Bounded in frames, bytes, frames per DID, and age. A frame that does not fit
 * is refused (the caller drops and counts it); frames older than the age bound
 * are handed back by {@link #expire}. Nothing here ever lets a frame through.
 */
public final class ParkingLot {

    /** Totals over all lots, for the buffer metrics. */
    public static final class Gauges {
        final AtomicLong frames = new AtomicLong();
        final AtomicLong bytes = new AtomicLong();

        public long frames() {
            return frames.get();
        }

        public long bytes() {
            return bytes.get();
        }
    }

    public record Limits(int maxFrames, long maxBytes, int maxFramesPerDid, long maxAgeNanos) {
        public Limits {
            if (maxFrames <= 0 || maxBytes <= 0 || maxFramesPerDid <= 0 || maxAgeNanos <= 0) {
                throw new IllegalArgumentException("parking limits must be positive");
            }
        }

        /** This lot's share when the whole budget is split over {@code n} workers. */
        public Limits share(int n) {
            return new Limits(Math.max(1, maxFrames / n), Math.max(1, maxBytes / n), maxFramesPerDid, maxAgeNanos);
        }
    }

    private record Parked(InboundFrame frame, long parkedNanos) {}

    private final Limits limits;
    private final Gauges gauges;
    // insertion order = oldest DID first, which makes expiry cheap enough
    private final Map<String, ArrayDeque<Parked>> byDid = new LinkedHashMap<>();
    private volatile int frames; // written by the owner only; read by idle()
    private long bytes;

    public ParkingLot(Limits limits, Gauges gauges) {
        this.limits = limits;
        this.gauges = gauges;
    }

    public boolean has(String did) {
        return byDid.containsKey(did);
    }

    /** Appends behind the DID's other parked frames; false when a bound would be exceeded. */
    public boolean park(InboundFrame frame, long nowNanos) {
        return add(frame, nowNanos, false);
    }

    /** Puts a frame back at the head of its DID's line (it was taken out and must wait again). */
    public boolean parkFirst(InboundFrame frame, long nowNanos) {
        return add(frame, nowNanos, true);
    }

    private boolean add(InboundFrame frame, long nowNanos, boolean first) {
        var line = byDid.get(frame.did());
        int inLine = line == null ? 0 : line.size();
        if (frames + 1 > limits.maxFrames() || bytes + frame.size() > limits.maxBytes()
                || inLine + 1 > limits.maxFramesPerDid()) {
            return false;
        }
        if (line == null) {
            line = new ArrayDeque<>();
            byDid.put(frame.did(), line);
        }
        var p = new Parked(frame, nowNanos);
        if (first) line.addFirst(p); else line.addLast(p);
        account(1, frame.size());
        return true;
    }

    /** Removes and returns the DID's frames, oldest first. */
    public List<InboundFrame> release(String did) {
        var line = byDid.remove(did);
        if (line == null) return List.of();
        var out = new ArrayList<InboundFrame>(line.size());
        for (var p : line) {
            out.add(p.frame());
            account(-1, -p.frame().size());
        }
        return out;
    }

    /** Removes and returns every frame parked longer than the age bound. */
    public List<InboundFrame> expire(long nowNanos) {
        List<InboundFrame> out = List.of();
        for (Iterator<ArrayDeque<Parked>> it = byDid.values().iterator(); it.hasNext(); ) {
            var line = it.next();
            while (!line.isEmpty() && nowNanos - line.peekFirst().parkedNanos() > limits.maxAgeNanos()) {
                if (out.isEmpty()) out = new ArrayList<>();
                var p = line.pollFirst();
                out.add(p.frame());
                account(-1, -p.frame().size());
            }
            if (line.isEmpty()) it.remove();
        }
        return out;
    }

    /** Nanos until the oldest parked frame expires, or -1 when empty. */
    public long nanosUntilNextExpiry(long nowNanos) {
        long oldest = Long.MAX_VALUE;
        for (var line : byDid.values()) {
            oldest = Math.min(oldest, line.peekFirst().parkedNanos());
        }
        return oldest == Long.MAX_VALUE ? -1 : Math.max(0, oldest + limits.maxAgeNanos() - nowNanos + 1);
    }

    /** Removes everything (shutdown). */
    public List<InboundFrame> clear() {
        var out = new ArrayList<InboundFrame>(frames);
        for (var did : List.copyOf(byDid.keySet())) out.addAll(release(did));
        return out;
    }

    public int frames() {
        return frames;
    }

    public long bytes() {
        return bytes;
    }

    public int dids() {
        return byDid.size();
    }

    private void account(int dFrames, long dBytes) {
        frames += dFrames;
        bytes += dBytes;
        gauges.frames.addAndGet(dFrames);
        gauges.bytes.addAndGet(dBytes);
    }
}
