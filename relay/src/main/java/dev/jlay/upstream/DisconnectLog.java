package dev.jlay.upstream;

import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

/**
 * The log lines of upstream disconnects, rate-limited: at most one line per host per
 * {@code perHost}, at most {@code linesPerWindow} host lines per {@code window} over all hosts,
 * and once per window a summary of what was left out, by reason. 10,000 hosts that lose their
 * network together make a handful of lines and one summary, not 10,000 lines a minute; a host
 * that flaps every second makes one line a minute that says how often it flapped.
 *
 * <p>Bounded by the hosts being read: a host is forgotten when its reader stops.
 */
public final class DisconnectLog {
    private static final System.Logger LOG = System.getLogger(DisconnectLog.class.getName());

    private static final class HostLine {
        long lastNanos;
        long suppressed;
    }

    private final long perHostNanos;
    private final long windowNanos;
    private final int linesPerWindow;
    private final LongSupplier nanos;
    private final Consumer<String> out;
    private final ConcurrentHashMap<String, HostLine> hosts = new ConcurrentHashMap<>();
    private final AtomicLongArray suppressed = new AtomicLongArray(DisconnectReason.values().length);
    private final Object windowLock = new Object();
    private long windowStart; // guarded by windowLock
    private int linesInWindow; // guarded by windowLock

    public DisconnectLog(Duration perHost, Duration window, int linesPerWindow, LongSupplier nanos, Consumer<String> out) {
        this.perHostNanos = perHost.toNanos();
        this.windowNanos = window.toNanos();
        this.linesPerWindow = linesPerWindow;
        this.nanos = nanos;
        this.out = out;
        this.windowStart = nanos.getAsLong();
    }

    /** One line per host per minute, 20 host lines a minute, a summary a minute, to the relay's log. */
    public static DisconnectLog standard() {
        return new DisconnectLog(Duration.ofMinutes(1), Duration.ofMinutes(1), 20, System::nanoTime,
                line -> LOG.log(Level.INFO, line));
    }

    /** A connection of {@code host} ended for {@code reason}; {@code detail} says more (close code, exception). */
    public void ended(String host, DisconnectReason reason, String detail) {
        long now = nanos.getAsLong();
        String summary = null;
        boolean log;
        long quietBefore;
        var line = hosts.computeIfAbsent(host, h -> new HostLine());
        synchronized (line) {
            log = line.lastNanos == 0 || now - line.lastNanos >= perHostNanos;
            quietBefore = line.suppressed;
        }
        synchronized (windowLock) {
            if (now - windowStart >= windowNanos) {
                summary = summary();
                windowStart = now;
                linesInWindow = 0;
            }
            if (log && linesInWindow >= linesPerWindow) log = false;
            if (log) linesInWindow++;
        }
        synchronized (line) {
            if (log) {
                line.lastNanos = now == 0 ? 1 : now;
                line.suppressed = 0;
            } else {
                line.suppressed++;
                suppressed.incrementAndGet(reason.ordinal());
            }
        }
        if (summary != null) out.accept(summary);
        if (log) {
            out.accept("upstream " + host + ": disconnected (" + reason.label() + ")"
                    + (detail == null || detail.isEmpty() ? "" : ": " + detail)
                    + (quietBefore > 0 ? "; " + quietBefore + " earlier disconnects of this host not logged" : ""));
        }
    }

    /** The reasons left out since the last summary, and resets them; null when none. */
    private String summary() {
        var sb = new StringBuilder();
        long total = 0;
        for (DisconnectReason r : DisconnectReason.values()) {
            long n = suppressed.getAndSet(r.ordinal(), 0);
            if (n == 0) continue;
            total += n;
            sb.append(sb.isEmpty() ? "" : ", ").append(r.label()).append('=').append(n);
        }
        if (total == 0) return null;
        return "upstream: " + total + " disconnects not logged line by line since the last summary "
                + "(one line per host per " + Duration.ofNanos(perHostNanos).toSeconds() + " s, " + linesPerWindow
                + " a window): " + sb;
    }

    /** Writes the summary now if anything was left out (the relay stops; a test reads it). */
    public void flush() {
        String summary;
        synchronized (windowLock) {
            summary = summary();
            windowStart = nanos.getAsLong();
            linesInWindow = 0;
        }
        if (summary != null) out.accept(summary);
    }

    /** The host is no longer read. */
    public void forget(String host) {
        hosts.remove(host);
    }

    /** Hosts with a line state (at most the hosts being read). */
    public int hosts() {
        return hosts.size();
    }
}
