package dev.jlay.jetstream;

import dev.jlay.downstream.TakenDownRepos;
import dev.jlay.eventlog.EventLog;
import dev.jlay.eventlog.EventRing;
import dev.jlay.eventlog.LogEvent;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;

/**
 * The loop of one {@code /subscribe} connection's virtual thread, by the same rules as the
 * firehose's: it pulls by its own position, from the ring near the head and from the log when
 * behind, in one loop, so a replay joins the live stream with no hand-over (no gap, no duplicate).
 * A cursor ({@code time_us}) is turned into a seq by the log's time index. Events logged hidden and
 * the commits of taken-down repos are skipped as {@code subscribeRepos} skips them.
 *
 * <p>Events are added to the connection's pending write while more are ready (a replay, or the
 * ring's head ahead of this connection), so a burst goes out in writes of up to {@link
 * JetstreamConnection#BATCH_BYTES} instead of one write per event; the pending frames are flushed
 * before every wait and every log read, so no frame waits for the next event.
 */
final class JetstreamPump implements Runnable {
    private static final System.Logger LOG = System.getLogger(JetstreamPump.class.getName());
    /** See the firehose's pump: a connection replaying without blocking keeps its carrier otherwise. */
    private static final int YIELD_EVERY = 64;

    private final JetstreamConnection conn;
    private final JetstreamService service;
    private final EventRing ring;
    private final EventLog log;
    private final TakenDownRepos takedowns;
    private final OptionalLong cursorMicros;
    private final long pingNanos;
    private int sentSinceYield;

    JetstreamPump(JetstreamConnection conn, JetstreamService service, EventRing ring, EventLog log,
                  TakenDownRepos takedowns, OptionalLong cursorMicros, long pingMillis) {
        this.conn = conn;
        this.service = service;
        this.ring = ring;
        this.log = log;
        this.takedowns = takedowns;
        this.cursorMicros = cursorMicros;
        this.pingNanos = TimeUnit.MILLISECONDS.toNanos(pingMillis);
    }

    @Override
    public void run() {
        try {
            conn.hello.await(); // requireHello: nothing is sent before the client's first options_update
            if (!conn.closed) {
                stream(startSeq());
            }
        } catch (InterruptedException e) {
            // closed or kicked
        } catch (RuntimeException e) {
            if (!conn.closed) {
                LOG.log(System.Logger.Level.DEBUG, "jetstream connection " + conn.id + " ended: " + e);
            }
        } finally {
            service.remove(conn);
            if (!conn.closed) {
                conn.close(1000, "");
            }
        }
    }

    /**
     * Live from the head without a cursor or with one in the future (Jetstream's rule); otherwise the
     * first event at or after the cursor's time, or the oldest kept when the cursor is older.
     */
    long startSeq() {
        long head = ring.head();
        long first = head + 1;
        if (cursorMicros.isPresent()) {
            long c = cursorMicros.getAsLong();
            long nowMicros = System.currentTimeMillis() * 1000 + 999;
            if (c <= nowMicros) {
                // not capped at the ring's head: the log may be a batch ahead of it, and those events
                // are older than the cursor when the index says so (the loop waits for the ring)
                first = log.firstSeqAtOrAfterMicros(c);
                service.countCursor(c < firstMicros() ? "older_than_log" : "replay");
            } else {
                service.countCursor("future");
            }
        }
        conn.lastSeq = first - 1;
        return first;
    }

    private long firstMicros() {
        return log.isEmpty() ? Long.MIN_VALUE : log.get(log.firstSeq()).map(LogEvent::timeMicros).orElse(Long.MIN_VALUE);
    }

    private void stream(long next) throws InterruptedException {
        long lastPing = System.nanoTime();
        while (!conn.closed) {
            long now = System.nanoTime();
            if (pingNanos > 0 && now - lastPing >= pingNanos) {
                conn.ping();
                lastPing = now;
            }
            if (next > ring.head()) {
                conn.flush(); // never hold a frame back while waiting for more
                ring.awaitAfter(next - 1, pingNanos > 0 ? pingNanos : Long.MAX_VALUE, TimeUnit.NANOSECONDS);
                continue;
            }
            var event = ring.event(next);
            if (event != null) {
                if (!skip(event)) {
                    send(service.translateShared(event));
                }
                conn.lastSeq = next;
                next++;
                continue;
            }
            next = fromLog(next);
        }
    }

    /** Not to be sent: logged hidden, repo content of an account taken down now, or nothing Jetstream sends. */
    private boolean skip(LogEvent e) {
        return e.hidden() || takedowns.hides(e.kind(), e.did()) || !JetstreamTranslator.translatable(e.kind());
    }

    private void send(TranslatedEvent t) {
        if (t == null) {
            return;
        }
        var filter = conn.filter;
        for (var e : t.events()) {
            if (filter.wants(e)) {
                service.sent(conn.compress, conn.send(e, service.zstd()));
                if (++sentSinceYield >= YIELD_EVERY) {
                    sentSinceYield = 0;
                    Thread.yield();
                }
            }
        }
    }

    /** Sends a batch from the log starting at {@code next}; returns the next seq to send. */
    private long fromLog(long next) {
        conn.flush(); // what the ring gave goes out before the log read
        var batch = log.read(next, service.logBatchEvents(), service.logBatchBytes());
        if (batch.isEmpty() || batch.getFirst().seq() != next) {
            long first = batch.isEmpty() ? log.firstSeq() : batch.getFirst().seq();
            if (first > next) {
                return first; // retention deleted what we were about to read: continue from the oldest left
            }
            if (batch.isEmpty()) {
                throw new IllegalStateException("seq " + next + " is durable but not in the log");
            }
        }
        for (LogEvent e : batch) {
            if (conn.closed) {
                break;
            }
            if (!skip(e)) {
                send(service.translateReplay(e));
            }
            conn.lastSeq = e.seq();
            next = e.seq() + 1;
        }
        return next;
    }
}
