package dev.jlay.kafka;

import dev.jlay.eventlog.EventLog;
import dev.jlay.eventlog.EventRing;
import dev.jlay.eventlog.LogEvent;
import dev.jlay.memory.BoundedBuffer;
import dev.jlay.metrics.Counter;
import dev.jlay.metrics.MetricRegistry;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Puts every durable event on the firehose topic, in seq order, exactly once by seq.
 *
 * <p>One thread reads what the sequencer made durable, from the ring or, when behind, from the log,
 * and hands it to an idempotent producer (acks=all, at most 5 requests in flight, so the broker
 * keeps the order and drops a retried duplicate). Where to start is read from the topic itself:
 * its last record's seq + 1. So after a crash (the producer's buffer lost, some of it maybe written)
 * the restarted relay neither skips nor repeats a seq. Any send failure ends the producer and the
 * publisher starts over from the topic's last record, never from its own idea of what was sent;
 * a failure can therefore not leave a hole behind records written after it.
 *
 * <p>While Kafka is unreachable nothing here blocks the sequencer or the consumers: the thread
 * retries every {@link #RETRY}, the log keeps what is not published yet (retention permitting), and
 * {@code relay_kafka_publish_lag_events} says how far behind the topic is. Every event is published,
 * so the topic's seqs are contiguous; one flagged hidden in the log (a taken-down account's, which
 * subscribeRepos does not replay) carries the header {@code hidden: 1}, and an edge does not serve it.
 */
public final class KafkaPublisher implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(KafkaPublisher.class.getName());
    private static final Duration RETRY = Duration.ofSeconds(2);
    private static final int READ_EVENTS = 512;
    private static final long READ_BYTES = 4L << 20;
    /** Producer's own per-record overhead beyond the value (headers, batch framing), for the byte bound. */
    private static final int RECORD_OVERHEAD = 160;

    private final KafkaSettings settings;
    private final EventRing ring;
    private final EventLog log;
    private final Thread thread;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition released = lock.newCondition();
    private volatile boolean running = true;

    // what the producer holds: guarded by lock
    private long inFlightBytes;
    private int inFlightEvents;
    private int generation;
    private Throwable failure;

    /** Highest seq the topic acknowledged (or was found to hold); lag is measured from it. */
    private volatile long publishedSeq;
    private volatile boolean connected;
    private final Counter published;
    private final Counter errors;
    private final Counter skipped;

    /**
     * @param metrics registers {@code relay_kafka_*} and buffer {@code kafka_publish_in_flight}; use
     *                {@link #registerOff} instead when publishing is off, so the series exist either way
     */
    public KafkaPublisher(KafkaSettings settings, EventRing ring, EventLog log, MetricRegistry metrics) {
        KafkaSettings.quietClientLogs();
        this.settings = settings;
        this.ring = ring;
        this.log = log;
        this.publishedSeq = log.firstSeq() - 1; // until the topic is read: all that is retained counts as lag
        metrics.gauge("relay_kafka_publishing", "1 when this relay publishes its events to Kafka (kafka.bootstrap-servers set).",
                () -> 1);
        metrics.gauge("relay_kafka_connected", "1 while the publisher has a producer on the topic and no failure.",
                () -> connected ? 1 : 0);
        metrics.gauge("relay_kafka_published_seq", "Highest seq the Kafka topic acknowledged.", () -> publishedSeq);
        metrics.gauge("relay_kafka_publish_lag_events",
                "Durable events not yet acknowledged by the Kafka topic (relay_seq minus relay_kafka_published_seq).",
                this::lag);
        this.published = metrics.counter("relay_kafka_published_events_total", "Events the Kafka topic acknowledged.");
        this.errors = metrics.counter("relay_kafka_publish_errors_total",
                "Times publishing failed (Kafka unreachable, send failed) and started over from the topic's last record.");
        this.skipped = metrics.counter("relay_kafka_skipped_events_total",
                "Events never published because the event log's retention deleted them first.");
        metrics.register(buffer());
        this.thread = Thread.ofPlatform().name("kafka-publisher").daemon(true).unstarted(this::run);
    }

    /** The same series as a running publisher, for a relay that does not publish (dashboards read them). */
    public static void registerOff(MetricRegistry metrics, long inFlightCapacityBytes) {
        metrics.gauge("relay_kafka_publishing", "1 when this relay publishes its events to Kafka (kafka.bootstrap-servers set).",
                () -> 0);
        metrics.gauge("relay_kafka_connected", "1 while the publisher has a producer on the topic and no failure.",
                () -> 0);
        metrics.gauge("relay_kafka_published_seq", "Highest seq the Kafka topic acknowledged.", () -> 0);
        metrics.gauge("relay_kafka_publish_lag_events",
                "Durable events not yet acknowledged by the Kafka topic (relay_seq minus relay_kafka_published_seq).",
                () -> 0);
        metrics.counter("relay_kafka_published_events_total", "Events the Kafka topic acknowledged.");
        metrics.counter("relay_kafka_publish_errors_total",
                "Times publishing failed (Kafka unreachable, send failed) and started over from the topic's last record.");
        metrics.counter("relay_kafka_skipped_events_total",
                "Events never published because the event log's retention deleted them first.");
        metrics.register(BoundedBuffer.of("kafka_publish_in_flight", () -> 0, () -> 0, () -> 0,
                () -> inFlightCapacityBytes));
    }

    public KafkaPublisher start() {
        thread.start();
        return this;
    }

    public long lag() {
        return Math.max(0, ring.head() - publishedSeq);
    }

    public long publishedSeq() {
        return publishedSeq;
    }

    public boolean connected() {
        return connected;
    }

    private BoundedBuffer buffer() {
        return BoundedBuffer.of("kafka_publish_in_flight", () -> {
            lock.lock();
            try {
                return inFlightEvents;
            } finally {
                lock.unlock();
            }
        }, () -> 0, () -> {
            lock.lock();
            try {
                return inFlightBytes;
            } finally {
                lock.unlock();
            }
        }, settings::inFlightBytes);
    }

    private void run() {
        while (running) {
            KafkaProducer<byte[], byte[]> producer = null;
            try {
                producer = newProducer();
                long next = resume();
                int gen = newGeneration();
                connected = true;
                publish(producer, next, gen);
                // stopped: what the producer holds gets a few seconds; the rest goes out after the next start
                producer.close(Duration.ofSeconds(5));
                producer = null;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (RuntimeException e) {
                connected = false;
                if (!running) return;
                errors.increment();
                LOG.log(System.Logger.Level.WARNING, "kafka publishing to {0} at {1} stopped, retrying in {2} s: {3}",
                        settings.topic(), settings.bootstrapServers(), RETRY.toSeconds(), e.toString());
                sleep(RETRY);
            } finally {
                connected = false;
                // a failed producer is dropped at once: what it still holds is published again from the topic's tail
                if (producer != null) producer.close(Duration.ZERO);
            }
        }
    }

    private KafkaProducer<byte[], byte[]> newProducer() {
        var p = settings.common("jlay-publisher");
        p.put("enable.idempotence", "true");
        p.put("acks", "all");
        p.put("max.in.flight.requests.per.connection", "5");
        p.put("linger.ms", "5");
        p.put("batch.size", Integer.toString(256 << 10));
        p.put("compression.type", "none");
        p.put("delivery.timeout.ms", "60000");
        p.put("max.block.ms", "10000");
        p.put("max.request.size", Integer.toString(FirehoseTopic.MAX_RECORD_BYTES));
        // our own bound (in-flight bytes) is what holds; the producer's buffer is a little larger so send never blocks on it
        p.put("buffer.memory", Long.toString(settings.inFlightBytes() + (16L << 20)));
        return new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer());
    }

    /** The first seq to publish: after the topic's last record, or the oldest retained event for an empty topic. */
    private long resume() {
        FirehoseTopic.ensure(settings, "jlay-publisher-admin");
        long next;
        try (var topic = new FirehoseTopic(settings, "jlay-publisher-tail")) {
            var last = topic.lastSeq();
            next = last.isPresent() ? last.getAsLong() + 1 : log.firstSeq();
            if (last.isPresent()) publishedSeq = last.getAsLong();
        }
        long first = log.firstSeq();
        if (next < first) {
            LOG.log(System.Logger.Level.WARNING, "kafka topic {0} ends at seq {1} but the log starts at {2}: "
                    + "{3} events were deleted by retention before they were published", settings.topic(), next - 1,
                    first, first - next);
            skipped.add(first - next);
            next = first;
        }
        if (next > ring.head() + 1) {
            LOG.log(System.Logger.Level.WARNING, "kafka topic {0} is ahead of the event log (topic at {1}, log at {2}): "
                    + "publishing waits until the log passes it", settings.topic(), next - 1, ring.head());
        }
        LOG.log(System.Logger.Level.INFO, "kafka: publishing to {0} at {1} from seq {2}", settings.topic(),
                settings.bootstrapServers(), next);
        return next;
    }

    private int newGeneration() {
        lock.lock();
        try {
            generation++;
            inFlightBytes = 0;
            inFlightEvents = 0;
            failure = null;
            return generation;
        } finally {
            lock.unlock();
        }
    }

    private void publish(KafkaProducer<byte[], byte[]> producer, long next, int gen) throws InterruptedException {
        while (running) {
            throwIfFailed();
            if (next > ring.head()) {
                ring.awaitAfter(next - 1, 200, TimeUnit.MILLISECONDS);
                continue;
            }
            var event = ring.event(next);
            List<LogEvent> batch = event != null ? List.of(event) : log.read(next, READ_EVENTS, READ_BYTES);
            if (batch.isEmpty()) {
                // nothing at or after next in the log although the ring's head passed it: retention raced us
                ring.awaitAfter(next - 1, 200, TimeUnit.MILLISECONDS);
                continue;
            }
            for (var e : batch) {
                if (e.seq() > ring.head()) break;
                if (e.seq() > next) {
                    skipped.add(e.seq() - next);
                    LOG.log(System.Logger.Level.WARNING, "kafka: seqs {0}..{1} were deleted by retention before they "
                            + "were published", next, e.seq() - 1);
                }
                send(producer, e, gen);
                next = e.seq() + 1;
            }
        }
    }

    private void send(KafkaProducer<byte[], byte[]> producer, LogEvent e, int gen) throws InterruptedException {
        long size = e.frame().length + RECORD_OVERHEAD + (e.did() == null ? 0 : e.did().length());
        lock.lock();
        try {
            // bounded in bytes; one event passes when nothing is in flight, whatever its size
            while (inFlightEvents > 0 && inFlightBytes + size > settings.inFlightBytes() && failure == null) {
                released.await(200, TimeUnit.MILLISECONDS);
                if (!running) return;
            }
            if (failure != null) return;
            inFlightBytes += size;
            inFlightEvents++;
        } finally {
            lock.unlock();
        }
        long seq = e.seq();
        var record = new ProducerRecord<byte[], byte[]>(settings.topic(), 0, e.timeMillis(), null, e.frame(),
                FrameHeaders.of(seq, e.timeMillis(), e.did(), e.kind().name().toLowerCase(Locale.ROOT), e.hidden()));
        try {
            producer.send(record, (meta, error) -> acknowledged(gen, seq, size, error));
        } catch (KafkaException ex) {
            acknowledged(gen, seq, size, ex);
        }
    }

    /** The producer's callback: in send order for the one partition. */
    private void acknowledged(int gen, long seq, long size, Exception error) {
        lock.lock();
        try {
            if (gen != generation) return; // a callback of a producer already given up
            inFlightBytes -= size;
            inFlightEvents--;
            if (error != null) {
                if (failure == null) failure = error;
            } else if (failure == null) {
                publishedSeq = seq;
                published.increment();
            }
            released.signalAll();
        } finally {
            lock.unlock();
        }
    }

    private void throwIfFailed() {
        lock.lock();
        try {
            if (failure != null) throw new KafkaException("send failed: " + failure, failure);
        } finally {
            lock.unlock();
        }
    }

    private void sleep(Duration d) {
        try {
            Thread.sleep(d);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            running = false;
        }
    }

    /**
     * Stops the thread and gives the producer a few seconds to deliver what it holds; what it does not
     * deliver is published by the next start, from the topic's last record.
     */
    @Override
    public void close() {
        running = false; // the thread sees it within 200 ms, or after a send blocked on metadata (max.block.ms)
        try {
            thread.join(TimeUnit.SECONDS.toMillis(20));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
