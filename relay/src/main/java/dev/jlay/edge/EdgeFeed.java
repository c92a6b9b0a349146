package dev.jlay.edge;

import dev.jlay.eventlog.EventKind;
import dev.jlay.eventlog.EventRing;
import dev.jlay.eventlog.LogEvent;
import dev.jlay.kafka.FirehoseTopic;
import dev.jlay.kafka.FrameHeaders;
import dev.jlay.kafka.KafkaSettings;
import dev.jlay.metrics.MetricRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * An edge's live feed: one thread follows the topic's end and puts each record in the edge's
 * {@link EventRing} as the event the primary's ring held (same seq, frame, kind, DID, hidden flag),
 * so subscribeRepos serves it exactly as the primary does. It starts at the topic's end (the ring
 * holds only what arrives while the edge runs; older cursors read the topic through
 * {@link TopicEvents}), and keeps no state a restart needs. While Kafka is unreachable it retries;
 * consumers wait at the head as they would on a quiet primary.
 */
public final class EdgeFeed implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(EdgeFeed.class.getName());

    private final KafkaSettings settings;
    private final EventRing ring;
    private final Thread thread;
    private volatile boolean running = true;
    private volatile long lagRecords;
    private volatile long lastRecordMillis;
    private volatile boolean connected;
    private volatile String lastError = "";

    /** @param ring empty, its head the topic's last seq ({@link #lastSeq}) */
    public EdgeFeed(KafkaSettings settings, EventRing ring, MetricRegistry metrics) {
        this.settings = settings;
        this.ring = ring;
        metrics.gauge("relay_edge_lag_records", "Records of the Kafka topic this edge has not read yet.",
                () -> lagRecords);
        metrics.gauge("relay_edge_lag_seconds", "Age of the newest record this edge has read (its sequencing time).",
                () -> lastRecordMillis == 0 ? 0 : Math.max(0, System.currentTimeMillis() - lastRecordMillis) / 1000.0);
        metrics.gauge("relay_edge_connected", "1 while the edge reads the Kafka topic without failure.",
                () -> connected ? 1 : 0);
        this.thread = Thread.ofPlatform().name("edge-feed").daemon(true).unstarted(this::run);
    }

    /** The seq of the topic's last record (0 when empty), waiting for Kafka as long as it takes. */
    public static long lastSeq(KafkaSettings settings) throws InterruptedException {
        while (true) {
            try (var topic = new FirehoseTopic(settings, "jlay-edge-tail")) {
                return topic.lastSeq().orElse(0);
            } catch (FirehoseTopic.KafkaUnavailable e) {
                LOG.log(System.Logger.Level.WARNING, "edge: kafka topic {0} at {1} not readable yet, retrying: {2}",
                        settings.topic(), settings.bootstrapServers(), e.getMessage());
                Thread.sleep(2_000);
            }
        }
    }

    /** What last stopped the feed (empty if nothing did), for an operator or a test that wonders why. */
    public String lastError() {
        return lastError;
    }

    public EdgeFeed start() {
        thread.start();
        return this;
    }

    /** A record of the topic as the event the primary logged. */
    static LogEvent event(ConsumerRecord<byte[], byte[]> r) {
        var h = r.headers();
        long seq = FrameHeaders.seq(h);
        if (seq < 0) throw new IllegalStateException("record " + r.offset() + " of " + r.topic() + " has no seq header");
        var kind = h.lastHeader(FrameHeaders.KIND) == null ? EventKind.OTHER
                : kindOf(FrameHeaders.text(h, FrameHeaders.KIND));
        var time = FrameHeaders.text(h, FrameHeaders.TIME);
        long millis = time == null ? r.timestamp() : Instant.parse(time).toEpochMilli();
        return new LogEvent(seq, kind, FrameHeaders.text(h, FrameHeaders.DID),
                FrameHeaders.hidden(h) ? LogEvent.FLAG_HIDDEN : 0, millis, r.value());
    }

    private static EventKind kindOf(String name) {
        try {
            return EventKind.valueOf(name.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            return EventKind.OTHER;
        }
    }

    private void run() {
        while (running) {
            var p = new java.util.Properties();
            p.put("bootstrap.servers", settings.bootstrapServers());
            p.put("client.id", "jlay-edge-feed");
            p.put("enable.auto.commit", "false");
            p.put("max.poll.records", "2000");
            p.put("fetch.max.wait.ms", "20");
            p.put("request.timeout.ms", "15000");
            p.put("default.api.timeout.ms", "15000");
            p.put("reconnect.backoff.max.ms", "2000");
            try (var consumer = new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
                var tp = new org.apache.kafka.common.TopicPartition(settings.topic(), 0);
                consumer.assign(List.of(tp));
                // from the first record after the ring's head: the topic's end at start, where it stopped after a failure
                long from;
                try (var topic = new FirehoseTopic(settings, "jlay-edge-seek")) {
                    from = topic.offsetAfter(ring.head());
                }
                consumer.seek(tp, from);
                connected = true;
                while (running) {
                    var records = consumer.poll(Duration.ofMillis(200)).records(tp);
                    long added = ring.head(); // the ring's head moves only at publish(), after the batch
                    for (var r : records) {
                        var e = event(r);
                        if (e.seq() <= added) continue; // already in the ring
                        if (e.seq() != added + 1) {
                            // the primary's retention deleted events before it published them: the ring cannot hold a hole
                            if (added > ring.head()) ring.publish();
                            throw new IllegalStateException("topic jumps from seq " + added + " to " + e.seq());
                        }
                        ring.add(e);
                        added = e.seq();
                        lastRecordMillis = e.timeMillis();
                    }
                    if (added > ring.head()) ring.publish();
                    lagRecords = consumer.currentLag(tp).orElse(lagRecords);
                }
            } catch (KafkaException | FirehoseTopic.KafkaUnavailable | IllegalArgumentException e) {
                connected = false;
                lastError = e.toString();
                if (!running) return;
                LOG.log(System.Logger.Level.WARNING, "edge: reading kafka topic {0} failed, retrying: {1}",
                        settings.topic(), e.toString());
                sleep();
            } catch (IllegalStateException e) {
                connected = false;
                lastError = e.toString();
                LOG.log(System.Logger.Level.ERROR, "edge: " + e.getMessage() + "; the edge stops following the topic "
                        + "(restart it to start from the topic's end)");
                return;
            }
        }
    }

    private void sleep() {
        try {
            TimeUnit.SECONDS.sleep(2);
        } catch (InterruptedException e) {
            running = false;
        }
    }

    @Override
    public void close() {
        running = false;
        try {
            thread.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
