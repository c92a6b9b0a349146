package dev.jlay.downstream;

import dev.jlay.atproto.stream.ErrorMessage;
import dev.jlay.eventlog.EventRing;
import dev.jlay.eventlog.EventSource;
import dev.jlay.eventlog.LogEvent;
import dev.jlay.metrics.Counter;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;

/**
 * The loop of one consumer's virtual thread. It pulls by its own cursor: from
 * the ring when close to the head, from the log when behind. Live tail and
 * replay are the same loop, so there is no hand-over buffer to overflow. A
 * cursor means "the last seq I have": events with seq &gt; cursor are sent.
 * The repo content of taken-down accounts ({@link TakenDownRepos}) and events
 * logged hidden are skipped on both paths; the cursor still moves past them.
 */
final class ConsumerPump implements Runnable {
    private static final System.Logger LOG = System.getLogger(ConsumerPump.class.getName());
    /** Close code after an error frame: policy violation, as the reference servers use. */
    static final int CLOSE_ERROR = 1008;

    private final Consumer consumer;
    private final ConsumerRegistry registry;
    private final EventRing ring;
    private final EventSource log;
    private final TakenDownRepos takedowns;
    private final OptionalLong cursor;
    private final long pingNanos;
    private final int logBatchEvents;
    private final long logBatchBytes;
    /**
     * Frames sent since this pump last let other virtual threads run. A consumer catching up sends
     * without ever blocking while its socket drains fast, and a virtual thread keeps its carrier
     * until it blocks: 50 replays from cursor 0 on 2 cores held the live consumers' frames back
     * by up to 5.5 s (hostile-consumers drill). Yielding every {@link #YIELD_EVERY} frames lets
     * them through.
     */
    private int sentSinceYield;
    private static final int YIELD_EVERY = 64;
    private final ReplayBatches replayBatches;
    private final Counter outdatedCursors;
    private final Counter skippedByRetention;
    /** An edge's: how long a cursor past the head may wait for the head to reach it (0: FutureCursor at once). */
    private final long futureCursorWaitNanos;

    ConsumerPump(Consumer consumer, ConsumerRegistry registry, EventRing ring, EventSource log,
                 TakenDownRepos takedowns, OptionalLong cursor, long pingMillis, int logBatchEvents,
                 long logBatchBytes, long futureCursorWaitMillis, ReplayBatches replayBatches,
                 Counter outdatedCursors, Counter skippedByRetention) {
        this.futureCursorWaitNanos = TimeUnit.MILLISECONDS.toNanos(futureCursorWaitMillis);
        this.consumer = consumer;
        this.registry = registry;
        this.ring = ring;
        this.log = log;
        this.takedowns = takedowns;
        this.cursor = cursor;
        this.pingNanos = TimeUnit.MILLISECONDS.toNanos(pingMillis);
        this.logBatchEvents = logBatchEvents;
        this.logBatchBytes = logBatchBytes;
        this.replayBatches = replayBatches;
        this.outdatedCursors = outdatedCursors;
        this.skippedByRetention = skippedByRetention;
    }

    @Override
    public void run() {
        try {
            long next = start();
            if (next > 0) {
                stream(next);
            }
        } catch (InterruptedException e) {
            // closed or kicked
        } catch (RuntimeException e) {
            if (!consumer.closed) {
                LOG.log(System.Logger.Level.DEBUG, "consumer " + consumer.id + " ended: " + e);
            }
        } finally {
            registry.remove(consumer);
            if (!consumer.closed) {
                try {
                    consumer.close(1000, "");
                } catch (RuntimeException ignored) {
                    // the socket is gone already
                }
            }
        }
    }

    /** The first seq to send, or 0 when the connection ends right away. */
    private long start() {
        long head = ring.head();
        consumer.lastSentSeq = cursor.orElse(head);
        if (cursor.isEmpty()) {
            return head + 1;
        }
        long c = cursor.getAsLong();
        if (c > head && futureCursorWaitNanos > 0) {
            // an edge a little behind the topic: a consumer moving here from another edge may be ahead of it
            try {
                ring.awaitAfter(c - 1, futureCursorWaitNanos, TimeUnit.NANOSECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            head = ring.head();
        }
        if (c > head) {
            consumer.send(ControlFrames.FUTURE_CURSOR);
            registry.kickedForFutureCursor();
            consumer.close(CLOSE_ERROR, "FutureCursor");
            return 0;
        }
        long first = log.firstSeq();
        if (c == 0) {
            return first;
        }
        if (c + 1 < first) {
            outdatedCursors.increment();
            consumer.send(ControlFrames.OUTDATED_CURSOR);
            return first;
        }
        return c + 1;
    }

    /**
     * Sends from {@code next} on, and pings once per interval whether or not events flow: Helidon
     * closes a WebSocket after 5 minutes without an inbound frame however much it sends, and a
     * consumer that only reads sends nothing but its pongs.
     */
    private void stream(long next) throws InterruptedException {
        var waiter = new EventRing.Waiter(Thread.currentThread());
        consumer.lastPingNanos = System.nanoTime();
        while (!consumer.closed) {
            if (consumer.judgedTooSlow()) {
                sayTooSlow();
                return;
            }
            long now = System.nanoTime();
            if (pingNanos > 0 && now - consumer.lastPingNanos >= pingNanos) {
                consumer.ping();
                consumer.lastPingNanos = now;
            }
            if (next > ring.head()) {
                // untimed: the registry's watchdog unparks this thread when a ping is due
                ring.awaitAfter(next - 1, waiter);
                continue;
            }
            var event = ring.event(next);
            if (event != null) {
                if (skip(event)) {
                    registry.skipped(consumer, next);
                } else {
                    consumer.send(event.frame());
                    registry.sent(consumer, next);
                    yieldNow();
                }
                next++;
                continue;
            }
            next = fromLog(next);
        }
    }

    /**
     * The watchdog judged this consumer too slow and its blocked write has since returned: the
     * error frame, then the close. Should these writes stick too, the watchdog cuts the socket
     * when the grace period ends, and they fail.
     */
    private void sayTooSlow() {
        consumer.send(ControlFrames.CONSUMER_TOO_SLOW);
        consumer.close(CLOSE_ERROR, ErrorMessage.CONSUMER_TOO_SLOW);
        registry.told(consumer);
    }

    private void yieldNow() {
        if (++sentSinceYield >= YIELD_EVERY) {
            sentSinceYield = 0;
            Thread.yield();
        }
    }

    /** Not to be sent: logged hidden, or repo content of an account taken down now. */
    private boolean skip(LogEvent e) {
        return e.hidden() || takedowns.hides(e.kind(), e.did());
    }

    /** Sends a batch from the log starting at {@code next}; returns the next seq to send. */
    private long fromLog(long next) {
        var batch = log.read(next, logBatchEvents, logBatchBytes);
        if (batch.isEmpty() || batch.getFirst().seq() != next) {
            // retention deleted what we were about to read: continue from the oldest left
            long first = batch.isEmpty() ? log.firstSeq() : batch.getFirst().seq();
            if (first > next) {
                skippedByRetention.add(first - next);
                return first;
            }
            if (batch.isEmpty()) {
                throw new IllegalStateException("seq " + next + " is durable but not in the log");
            }
        }
        long held = replayBatches.hold(batch);
        try {
            for (LogEvent e : batch) {
                if (consumer.closed || consumer.judgedTooSlow()) {
                    break;
                }
                if (skip(e)) {
                    registry.skipped(consumer, e.seq());
                } else {
                    consumer.send(e.frame());
                    registry.sent(consumer, e.seq());
                    yieldNow();
                }
                next = e.seq() + 1;
            }
        } finally {
            replayBatches.release(batch.size(), held);
        }
        return next;
    }
}
