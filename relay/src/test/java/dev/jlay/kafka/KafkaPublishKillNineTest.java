package dev.jlay.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.jlay.atproto.stream.FirehoseCodec;
import dev.jlay.atproto.stream.SequencedMessage;
import dev.jlay.pipeline.FrameFile;
import dev.jlay.testing.DidDocServer;
import dev.jlay.testing.FirehoseClient;
import dev.jlay.testing.LoopbackPds;
import dev.jlay.testing.RelayProcess;
import dev.jlay.testing.SharedFixtures;
import dev.jlay.testing.TestKafka;
import dev.jlay.testing.TestPostgres;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code jlay serve} publishing to a real broker, killed with SIGKILL while it publishes (a host still
 * sending, the producer holding unacknowledged records), then started again on the same data dir,
 * database and topic. The topic ends up holding every event of the relay's log exactly once: seqs
 * 1..N with no gap and no duplicate, each record's value the very bytes subscribeRepos serves for
 * that seq.
 */
class KafkaPublishKillNineTest {
    private static final Duration WAIT = Duration.ofSeconds(240); // a cold child JVM on a loaded 2-core machine

    @TempDir
    Path dir;

    @Test
    void killNineWhilePublishingLeavesNoGapAndNoDuplicateInTheTopic() throws Exception {
        String bootstrap = TestKafka.bootstrap();
        String topic = TestKafka.freshTopic("kill9");
        List<byte[]> frames = FrameFile.read(SharedFixtures.corpusDir().resolve("pds0.frames"));
        String database = TestPostgres.freshDatabase("kafkakill9");
        try (var host = new LoopbackPds(frames, Duration.ofMillis(15)); // ~5 s of stream: the kill lands mid-publish
             var plc = new DidDocServer().serveCorpus(SharedFixtures.corpusDir().resolve("did-docs.json"),
                     Map.of("http://localhost:2583", host.url()))) {
            var env = new HashMap<>(Map.of("RELAY_DATA_DIR", dir.resolve("data").toString(),
                    "RELAY_DATABASE_URL", database, "RELAY_HOST", "127.0.0.1", "RELAY_PORT", "0",
                    "RELAY_METRICS_PORT", "0", "RELAY_PLC_URL", plc.url().toString(),
                    "RELAY_ALLOW_INSECURE_HOSTS", "true", "RELAY_UPSTREAM_HOSTS", host.host(),
                    "RELAY_ADMIN_TOKEN", "kafka-kill9-token"));
            env.put("RELAY_KAFKA_BOOTSTRAP_SERVERS", bootstrap);
            env.put("RELAY_KAFKA_TOPIC", topic);

            var first = RelayProcess.start(env);
            await().atMost(WAIT).pollInterval(Duration.ofMillis(50))
                    .until(() -> TestKafka.endOffset(bootstrap, topic) >= 100);
            first.kill9(); // SIGKILL mid-publish: no shutdown hook, the producer's buffer is lost
            long atKill = TestKafka.endOffset(bootstrap, topic);
            assertThat(atKill).as("killed while publishing").isLessThan(frames.size());

            try (var second = RelayProcess.start(env);
                 var all = FirehoseClient.connect(second.port(), "cursor=0")) {
                // every host frame in the log (RelayKillNineTest shows each exactly once) and on the topic
                await().atMost(WAIT).until(() -> all.frames.size() >= frames.size());
                await().atMost(WAIT).until(() -> TestKafka.endOffset(bootstrap, topic) >= all.frames.size());
                Thread.sleep(1_000); // nothing more arrives: no duplicate is still on its way
                var served = List.copyOf(all.frames);
                var records = TestKafka.readAll(bootstrap, topic);
                assertThat(records).as("one record per event of the log").hasSameSizeAs(served);
                for (int i = 0; i < records.size(); i++) {
                    var r = records.get(i);
                    assertThat(r.seq()).as("record %d: seqs 1..N, no gap, no duplicate", i).isEqualTo(i + 1L);
                    assertThat(((SequencedMessage) FirehoseCodec.decode(r.value())).seq()).isEqualTo(r.seq());
                    assertThat(r.value()).as("seq %d: the bytes subscribeRepos serves", r.seq()).isEqualTo(served.get(i));
                }
                System.out.println("kafka kill9: " + atKill + " records on the topic at the kill, "
                        + records.size() + " after the restart");
            }
        }
    }
}
