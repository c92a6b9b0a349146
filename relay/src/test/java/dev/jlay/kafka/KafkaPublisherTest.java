package dev.jlay.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.jlay.eventlog.EventKind;
import dev.jlay.eventlog.EventLogService;
import dev.jlay.eventlog.LogEvent;
import dev.jlay.eventlog.Sequencer;
import dev.jlay.metrics.MetricRegistry;
import dev.jlay.testing.SeqStampedFrames;
import dev.jlay.testing.TestKafka;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The publisher against a real broker: durable events reach the one-partition topic in seq order
 * with their exact bytes and headers; a second publisher on the same log goes on after the topic's
 * last record (nothing twice, nothing skipped); and while the broker is down the log keeps taking
 * events, the lag says how many wait, and they are all published once the broker is back.
 */
class KafkaPublisherTest {
    private static final Duration WAIT = Duration.ofSeconds(120);

    @TempDir
    Path dir;

    private static EventLogService events(Path dir, MetricRegistry metrics) {
        // a ring of 64 events: most of a run is read back from the log, as after an outage
        var settings = new EventLogService.Settings(dir, 1, 64, 1 << 20,
                new Sequencer.Options(256, 32, TimeUnit.MILLISECONDS.toNanos(1)),
                Duration.ofHours(72), Long.MAX_VALUE, Duration.ofHours(1), 1 << 20);
        return new EventLogService(settings, SeqStampedFrames.STAMPER, metrics, System::currentTimeMillis);
    }

    private static KafkaSettings settings(String bootstrap, String topic) {
        return new KafkaSettings(bootstrap, topic, 1 << 20, (short) 1);
    }

    private static void append(EventLogService svc, int from, int to) throws Exception {
        for (int i = from; i <= to; i++) {
            svc.sequencer().append(SeqStampedFrames.payload(i, 200 + i % 700), EventKind.COMMIT, "did:plc:test" + (i % 7));
        }
    }

    private static void assertTopicIsTheLog(List<TestKafka.Record> topic, EventLogService svc, long lastSeq) {
        assertThat(topic).hasSize((int) lastSeq);
        List<LogEvent> log = svc.log().read(1, Integer.MAX_VALUE, Long.MAX_VALUE);
        for (int i = 0; i < topic.size(); i++) {
            var r = topic.get(i);
            var e = log.get(i);
            assertThat(r.seq()).as("record %d", i).isEqualTo(i + 1L);
            assertThat(r.value()).as("seq %d is the log's frame", r.seq()).isEqualTo(e.frame());
            assertThat(SeqStampedFrames.seqOf(r.value())).isEqualTo(r.seq());
            assertThat(r.did()).isEqualTo(e.did());
            assertThat(r.kind()).isEqualTo("commit");
            assertThat(r.timestamp()).isEqualTo(e.timeMillis());
            assertThat(Instant.parse(r.time()).toEpochMilli()).isEqualTo(e.timeMillis());
        }
    }

    @Test
    void publishesEveryDurableEventInOrderAndARestartGoesOnFromTheTopicsLastRecord() throws Exception {
        String bootstrap = TestKafka.bootstrap();
        String topic = TestKafka.freshTopic("publish");
        var metrics = new MetricRegistry();
        try (var svc = events(dir, metrics)) {
            try (var publisher = new KafkaPublisher(settings(bootstrap, topic), svc.ring(), svc.log(), metrics).start()) {
                append(svc, 1, 300);
                await().atMost(WAIT).until(() -> publisher.publishedSeq() == 300);
                assertThat(publisher.lag()).isZero();
                assertThat(metrics.render()).contains("relay_kafka_publish_lag_events 0")
                        .contains("relay_kafka_published_events_total 300");
            }
            append(svc, 301, 450); // durable while no publisher runs
            var metrics2 = new MetricRegistry();
            try (var publisher = new KafkaPublisher(settings(bootstrap, topic), svc.ring(), svc.log(), metrics2).start()) {
                await().atMost(WAIT).until(() -> publisher.publishedSeq() == 450);
                append(svc, 451, 500);
                // a frame near the 5 MiB frame cap, above the broker's default 1 MiB record limit
                svc.sequencer().append(SeqStampedFrames.payload(501, 4 << 20), EventKind.COMMIT, "did:plc:test501");
                await().atMost(WAIT).until(() -> publisher.publishedSeq() == 501);
                assertThat(metrics2.render()).as("the second publisher sent only what the topic lacked")
                        .contains("relay_kafka_published_events_total 201");
            }
            var records = TestKafka.readAll(bootstrap, topic);
            assertTopicIsTheLog(records, svc, 501);
            assertThat(records.getLast().value()).hasSize(8 + (4 << 20));
        }
    }

    @Test
    void whileKafkaIsDownTheLogKeepsTakingEventsAndPublishingCatchesUpAfterwards() throws Exception {
        String topic = TestKafka.freshTopic("outage");
        var metrics = new MetricRegistry();
        try (var broker = TestKafka.Broker.notStarted(); var svc = events(dir, metrics);
             var publisher = new KafkaPublisher(settings(broker.bootstrap(), topic), svc.ring(), svc.log(), metrics)
                     .start()) {
            // no broker: appends still become durable at once (the sequencer never waits for Kafka)
            long t0 = System.nanoTime();
            append(svc, 1, 200);
            await().atMost(Duration.ofSeconds(30)).until(() -> svc.ring().head() == 200);
            assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(30));
            assertThat(publisher.connected()).isFalse();
            assertThat(publisher.lag()).isEqualTo(200);
            assertThat(metrics.render()).contains("relay_kafka_publish_lag_events 200").contains("relay_kafka_connected 0");

            broker.start();
            await().atMost(WAIT).until(() -> publisher.publishedSeq() == 200);
            append(svc, 201, 260);
            await().atMost(WAIT).until(() -> publisher.publishedSeq() == 260);
            assertThat(publisher.lag()).isZero();
            assertTopicIsTheLog(TestKafka.readAll(broker.bootstrap(), topic), svc, 260);

            // the broker dies mid-stream and comes back on the same files: nothing lost, nothing twice
            broker.kill();
            append(svc, 261, 400);
            await().atMost(WAIT).until(() -> svc.ring().head() == 400);
            broker.start();
            await().atMost(WAIT).until(() -> publisher.publishedSeq() == 400);
            assertTopicIsTheLog(TestKafka.readAll(broker.bootstrap(), topic), svc, 400);
            // no error count is asserted: a producer may ride out a short broker outage inside its own
            // retries (a loaded suite run counted 0), and the topic's equality to the log is the point
            assertThat(metrics.render()).containsPattern("relay_kafka_publish_errors_total [0-9]+");
        }
    }
}
