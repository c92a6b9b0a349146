package dev.jlay.jetstream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.jlay.atproto.stream.FirehoseCodec;
import dev.jlay.atproto.stream.IdentityMessage;
import dev.jlay.atproto.stream.SeqStamp;
import dev.jlay.downstream.TakenDownRepos;
import dev.jlay.eventlog.EventKind;
import dev.jlay.eventlog.EventLog;
import dev.jlay.eventlog.EventLogService;
import dev.jlay.eventlog.LogEvent;
import dev.jlay.eventlog.Sequencer;
import dev.jlay.metrics.MetricRegistry;
import dev.jlay.testing.JetstreamClient;
import io.helidon.webserver.WebServer;
import io.helidon.webserver.websocket.WsRouting;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 17: "a replay from 24 hours back joins the live stream without a gap or a duplicate". The
 * log holds 30 hours of events, written through the sequencer (the event log's own write path) under
 * a clock the test sets: 20,000 events spread over the 30 hours before the test started (80 groups
 * of 250, 22.5 minutes apart), then events at the real time. While they keep arriving, a client
 * connects with {@code cursor = now - 24 h}
 * and must get exactly every event the log holds from that time on (found by reading the whole log,
 * not through the time index), once each, in order, then the live ones to the end.
 */
class JetstreamDayOldCursorTest {
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final int HISTORIC = 20_000;
    private static final int BEFORE_CONNECT = 2_000;
    /** Historic events are written in groups of this many, 22.5 minutes of the test clock apart. */
    private static final int GROUP = 250;
    private static final int TOTAL = 30_000;
    private static final long HOUR_MILLIS = Duration.ofHours(1).toMillis();
    private static final long DAY_MICROS = Duration.ofHours(24).toNanos() / 1000;

    @TempDir
    Path dir;

    @Test
    void aCursorOneDayBackGetsEveryEventFromThenOnceInOrderThenLive() throws Exception {
        long start = System.currentTimeMillis();
        long t0 = start - 30 * HOUR_MILLIS;
        long step = 30 * HOUR_MILLIS / HISTORIC; // 5.4 s per historic event
        var virtual = new AtomicLong(t0);
        var historic = new AtomicBoolean(true);
        // the sequencer reads the clock once per batch: the historic events get the times the producer sets
        java.util.function.LongSupplier clock = () -> historic.get() ? virtual.get() : System.currentTimeMillis();
        var metrics = new MetricRegistry();
        // retention longer than the log's 30 hours, so nothing is trimmed under the replay
        var settings = new EventLogService.Settings(dir, 1, 256, 1 << 20, new Sequencer.Options(8192, 512, 0),
                Duration.ofHours(48), 1L << 34, Duration.ofHours(1), 8 << 20);
        try (var events = new EventLogService(settings, SeqStamp::withSeq, metrics, clock);
             var jetstream = new JetstreamService(events.ring(), events.log(), new TakenDownRepos(10),
                     new JetstreamService.Settings(16, 30_000, 30_000, 1024, 8 << 20, 512, 8 << 20), metrics)) {
            var server = WebServer.builder().host("127.0.0.1").port(0)
                    .addRouting(WsRouting.builder().endpoint(JetstreamService.PATH, jetstream::listener))
                    .shutdownHook(false).build().start();
            var stop = new AtomicBoolean();
            var connected = new CountDownLatch(1);
            var producer = Thread.ofPlatform().start(() -> {
                try {
                    CompletableFuture<Long> last = null;
                    for (int i = 0; i < TOTAL && !stop.get(); i++) {
                        if (i < HISTORIC && i % GROUP == 0) {
                            // the previous group sequenced before the clock moves: the sequencer reads it
                            // once per batch, so every event of a group gets the group's time (+1 µs each)
                            if (last != null) {
                                last.get(30, TimeUnit.SECONDS);
                            }
                            virtual.set(t0 + (long) i * step);
                        } else if (i == HISTORIC) {
                            last.get(30, TimeUnit.SECONDS);
                            historic.set(false);
                        }
                        var did = "did:plc:dayold" + (i % 89);
                        var frame = FirehoseCodec.encode(new IdentityMessage(0, did, "2026-12-03T10:00:00.000Z", null));
                        last = events.sequencer().append(frame, EventKind.IDENTITY, did);
                        if (i == HISTORIC + BEFORE_CONNECT) {
                            connected.await(); // the rest arrives while the client replays and joins
                        }
                        if (i >= HISTORIC && i % 500 == 499) {
                            Thread.sleep(5); // live traffic in bursts
                        }
                    }
                    last.get(30, TimeUnit.SECONDS);
                } catch (Exception e) {
                    throw new RuntimeException(e);
                }
            });
            try {
                await().atMost(Duration.ofSeconds(60)).until(() -> events.log().lastSeq() >= HISTORIC + BEFORE_CONNECT);
                long cursor = System.currentTimeMillis() * 1000 - DAY_MICROS;
                try (var client = JetstreamClient.connect(server.port(), "cursor=" + cursor)) {
                    await().atMost(Duration.ofSeconds(10)).until(() -> jetstream.size() == 1);
                    connected.countDown();
                    producer.join(120_000);
                    assertThat(producer.isAlive()).isFalse();
                    assertThat(events.log().lastSeq()).isEqualTo(TOTAL);

                    // the oracle: every logged event, read in seq order (not through the time index)
                    var logged = readAll(events.log());
                    assertThat(logged).hasSize(TOTAL);
                    assertThat(logged.getFirst().timeMicros()).as("the log spans more than 24 hours before the cursor")
                            .isLessThan(cursor - 5 * HOUR_MILLIS * 1000);
                    int firstIndex = 0;
                    while (logged.get(firstIndex).timeMicros() < cursor) {
                        firstIndex++;
                    }
                    long firstSeq = logged.get(firstIndex).seq();
                    int expected = TOTAL - firstIndex;
                    // the first 6 hours of history (16 groups, and the 17th at most seconds before the cursor)
                    assertThat(firstIndex).as("events older than the cursor").isBetween(16 * GROUP, 17 * GROUP);
                    assertThat(expected).as("events of the last 24 hours").isGreaterThan(HISTORIC / 2 + BEFORE_CONNECT);

                    await().atMost(Duration.ofSeconds(120)).until(() -> client.texts.size() >= expected);
                    Thread.sleep(200); // nothing more may come
                    var got = parse(client.texts);
                    assertThat(got).hasSize(expected);
                    for (int i = 0; i < got.size(); i++) {
                        var want = logged.get(firstIndex + i);
                        var e = got.get(i);
                        if (e.seq() != want.seq() || e.timeMicros() != want.timeMicros()) {
                            throw new AssertionError("event " + i + " from the cursor: got seq " + e.seq() + " at "
                                    + e.timeMicros() + " µs, the log has seq " + want.seq() + " at "
                                    + want.timeMicros() + " µs");
                        }
                    }
                    assertThat(got.getFirst().seq()).isEqualTo(firstSeq);
                    assertThat(got.getFirst().timeMicros()).isGreaterThanOrEqualTo(cursor);
                    assertThat(logged.get(firstIndex - 1).timeMicros()).isLessThan(cursor);
                    // it went from history written under the test clock into the live events at the real time
                    assertThat(got.stream().filter(e -> e.seq() <= HISTORIC).count()).isGreaterThan(HISTORIC / 2);
                    assertThat(got.getLast().seq()).isEqualTo(TOTAL);
                    assertThat(got.getLast().timeMicros()).isGreaterThanOrEqualTo(start * 1000);
                }
            } finally {
                stop.set(true);
                connected.countDown();
                producer.join(30_000);
                server.stop();
            }
        }
    }

    private record Received(long seq, long timeMicros) {}

    private static List<Received> parse(List<String> texts) throws Exception {
        var out = new ArrayList<Received>(texts.size());
        synchronized (texts) {
            for (var t : texts) {
                var node = MAPPER.readTree(t);
                assertThat(node.get("kind").asText()).isEqualTo("identity");
                out.add(new Received(node.get("identity").get("seq").asLong(), node.get("time_us").asLong()));
            }
        }
        return out;
    }

    private static List<LogEvent> readAll(EventLog log) {
        var out = new ArrayList<LogEvent>(TOTAL);
        long next = 1;
        while (next <= log.lastSeq()) {
            var batch = log.read(next, 4096, Long.MAX_VALUE);
            out.addAll(batch);
            next = batch.getLast().seq() + 1;
        }
        return out;
    }
}
