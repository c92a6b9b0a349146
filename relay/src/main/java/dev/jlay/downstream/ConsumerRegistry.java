package dev.jlay.downstream;

import dev.jlay.memory.BoundedBuffer;
import dev.jlay.metrics.Counter;
import dev.jlay.metrics.MetricRegistry;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.LongSupplier;

/**
 * The connected consumers, bounded in number, and the watchdog that judges a
 * consumer too slow when its socket write has made no progress for the write
 * timeout. A consumer catching up from the log keeps writing, so it is never
 * "too slow". A judged consumer is owed the {@code ConsumerTooSlow} error frame:
 * its pump sends it, then closes, as soon as the blocked write returns. A write
 * stuck for the grace period beyond that will not return in useful time: the
 * watchdog cuts the socket, and the error frame is never sent (counted).
 */
public final class ConsumerRegistry implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(ConsumerRegistry.class.getName());
    static final int LAG_SERIES = 64;
    /** A consumer's bookkeeping and its virtual thread's stack chunk, roughly; its frame buffer is added. */
    static final long CONSUMER_FIXED_BYTES = 2048;

    private final int maxConsumers;
    private final long writeTimeoutNanos;
    private final long graceNanos;
    private final long pingNanos;
    private final LongSupplier head;
    private final ConcurrentHashMap<Long, Consumer> consumers = new ConcurrentHashMap<>();
    private final AtomicLong ids = new AtomicLong();
    private final Counter tooSlow;
    private final Counter tooSlowTold;
    private final Counter tooSlowAborted;
    private final Counter futureCursor;
    private final Counter rejected;
    private final Counter framesSent;
    private final Thread watchdog;
    private volatile boolean running = true;

    /**
     * @param graceMillis how long a consumer judged too slow may take to get the error frame out
     * @param pingMillis  keepalive interval: the watchdog wakes a pump parked on the ring when its ping
     *                    is due (0: no pings)
     */
    public ConsumerRegistry(int maxConsumers, long writeTimeoutMillis, long graceMillis, long pingMillis,
                            LongSupplier head, MetricRegistry metrics) {
        this.maxConsumers = maxConsumers;
        this.pingNanos = TimeUnit.MILLISECONDS.toNanos(pingMillis);
        this.writeTimeoutNanos = TimeUnit.MILLISECONDS.toNanos(writeTimeoutMillis);
        this.graceNanos = TimeUnit.MILLISECONDS.toNanos(graceMillis);
        this.head = head;
        metrics.gauge("relay_consumers", "Connected subscribeRepos consumers.", consumers::size);
        this.tooSlow = metrics.counter("relay_consumer_kicks_total",
                "Consumers disconnected by the relay.", "reason", "too_slow");
        this.tooSlowTold = metrics.counter("relay_consumer_too_slow_total",
                "Consumers judged too slow, by how they ended: error_frame (ConsumerTooSlow sent, then close) "
                        + "or aborted (the write never returned within the grace period; socket cut).",
                "outcome", "error_frame");
        this.tooSlowAborted = metrics.counter("relay_consumer_too_slow_total",
                "Consumers judged too slow, by how they ended: error_frame (ConsumerTooSlow sent, then close) "
                        + "or aborted (the write never returned within the grace period; socket cut).",
                "outcome", "aborted");
        this.futureCursor = metrics.counter("relay_consumer_kicks_total",
                "Consumers disconnected by the relay.", "reason", "future_cursor");
        // open label set (connection ids): the 64 largest lags get a series, the rest fold into "other" (max)
        metrics.collect("relay_consumer_lag_events", "relay_seq minus the consumer's last sent seq.",
                MetricRegistry.Kind.GAUGE, "consumer", LAG_SERIES, MetricRegistry.Fold.MAX, sink -> {
                    long h = head.getAsLong();
                    for (var c : consumers.values()) {
                        sink.sample(Long.toString(c.id), Math.max(0, h - c.lastSentSeq));
                    }
                });
        this.rejected = metrics.counter("relay_consumer_rejections_total",
                "Consumer connections refused.", "reason", "too_many");
        this.framesSent = metrics.counter("relay_consumer_frames_sent_total",
                "Frames written to consumers (all consumers together).");
        // per consumer: our bookkeeping plus a virtual thread's stack chunk, roughly, and its frame buffer
        metrics.register(BoundedBuffer.of("consumers", consumers::size, () -> maxConsumers, () -> {
            long b = 0;
            for (var c : consumers.values()) {
                b += CONSUMER_FIXED_BYTES + c.bufferBytes();
            }
            return b;
        }));
        long tick = Math.max(10, Math.min(1000, Math.min(writeTimeoutMillis, Math.max(1, graceMillis)) / 4));
        this.watchdog = Thread.ofPlatform().name("consumer-watchdog").daemon(true).start(() -> watch(tick));
    }

    /** Adds a consumer, or returns null when the bound is reached. */
    Consumer add(java.util.function.LongFunction<Consumer> create) {
        synchronized (consumers) {
            if (consumers.size() >= maxConsumers) {
                rejected.increment();
                return null;
            }
            var c = create.apply(ids.incrementAndGet());
            consumers.put(c.id, c);
            return c;
        }
    }

    void remove(Consumer c) {
        consumers.remove(c.id);
    }

    void sent(Consumer c, long seq) {
        c.lastSentSeq = seq;
        c.framesSent++;
        framesSent.increment();
    }

    /** The consumer moved past an event it must not see (hidden); nothing was written. */
    void skipped(Consumer c, long seq) {
        c.lastSentSeq = seq;
    }

    public int size() {
        return consumers.size();
    }

    /** A consumer asked for a cursor beyond the head and was closed with FutureCursor. */
    void kickedForFutureCursor() {
        futureCursor.increment();
    }

    public long tooSlowKicks() {
        return tooSlow.get();
    }

    /** Too-slow consumers that got the error frame before the close. */
    public long tooSlowTold() {
        return tooSlowTold.get();
    }

    /** Too-slow consumers whose socket was cut without the error frame. */
    public long tooSlowAborted() {
        return tooSlowAborted.get();
    }

    /** The pump wrote ConsumerTooSlow and closed. */
    void told(Consumer c) {
        if (c.told()) {
            tooSlowTold.increment();
        }
    }

    /** Bounded by the consumer limit. */
    public List<ConsumerSnapshot> list() {
        long h = head.getAsLong();
        var out = new ArrayList<ConsumerSnapshot>();
        for (var c : consumers.values()) {
            out.add(c.snapshot(h));
        }
        out.sort((a, b) -> Long.compare(a.id(), b.id()));
        return out;
    }

    private void watch(long tickMillis) {
        while (running) {
            try {
                Thread.sleep(tickMillis);
            } catch (InterruptedException e) {
                return;
            }
            long now = System.nanoTime();
            for (var c : consumers.values()) {
                check(c, now);
                long lastPing = c.lastPingNanos;
                if (pingNanos > 0 && lastPing != 0 && now - lastPing >= pingNanos) {
                    var t = c.pump;
                    if (t != null) {
                        LockSupport.unpark(t); // parked on the ring without a timer: its ping is due
                    }
                }
            }
        }
    }

    private void check(Consumer c, long now) {
        switch (c.slowness()) {
            case Consumer.FINE -> {
                if (c.writeStuckNanos(now) > writeTimeoutNanos && c.judgeTooSlow(now)) {
                    tooSlow.increment();
                    LOG.log(System.Logger.Level.INFO, "consumer {0} ({1}) too slow: no write progress for {2} ms",
                            c.id, c.remoteAddress, TimeUnit.NANOSECONDS.toMillis(c.writeStuckNanos(now)));
                }
            }
            case Consumer.TOO_SLOW -> {
                if (now - c.judgedNanos() > graceNanos && c.giveUp()) {
                    tooSlowAborted.increment();
                    LOG.log(System.Logger.Level.INFO, "consumer {0} ({1}) too slow and still stuck after {2} ms: "
                            + "socket cut without the error frame", c.id, c.remoteAddress,
                            TimeUnit.NANOSECONDS.toMillis(graceNanos));
                    c.abort();
                }
            }
            default -> {
                // told or aborted: the pump is ending
            }
        }
    }

    /** Closes every consumer connection. */
    @Override
    public void close() {
        running = false;
        watchdog.interrupt();
        for (var c : consumers.values()) {
            c.closed = true;
            var t = c.pump;
            if (t != null) {
                t.interrupt();
            }
        }
    }
}
