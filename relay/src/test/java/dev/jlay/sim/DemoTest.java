package dev.jlay.sim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.jlay.atproto.stream.FirehoseCodec;
import dev.jlay.atproto.stream.SequencedMessage;
import dev.jlay.cli.Demo;
import dev.jlay.testing.FirehoseClient;
import dev.jlay.testing.TestPostgres;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The demo's core end to end on loopback (the consumer asks from cursor 0: the hosts start
 * emitting as soon as the relay reads them, which may be before the consumer is there): simulated hosts → the relay (embedded PostgreSQL,
 * identities from the PLC stub, strict validation) → a consumer. Every emitted event arrives,
 * in relay seq order, with nothing dropped; the status line says so.
 */
class DemoTest {

    @TempDir
    Path dir;

    @Test
    void everyEventOfEveryHostReachesAConsumerWithNoDrops() throws Exception {
        var settings = Fleet.Settings.of(3, 9, 0).withMaxFrames(300);
        // the suite's PostgreSQL: the embedded one's first start (initdb) alone takes longer than this test should
        String database = TestPostgres.freshDatabase("demo");
        try (var demo = Demo.start(Fleet.create(settings), dir, "127.0.0.1", 0, 0, Map.of("RELAY_DATABASE_URL", database));
             var consumer = FirehoseClient.connect(demo.server().port(), "cursor=0")) {
            await().atMost(Duration.ofSeconds(120))
                    .conditionEvaluationListener(c -> {
                        if (!c.isSatisfied() && c.getElapsedTimeInMS() % 10_000 < 100) {
                            System.err.println("demo test: consumer has " + consumer.frames.size() + ", "
                                    + demo.statusLine() + ", hosts emitted " + demo.fleet().emitted());
                        }
                    })
                    .until(() -> consumer.frames.size() >= 300);
            Thread.sleep(300); // anything extra would show now
            assertThat(consumer.frames).hasSize(300);
            long last = 0;
            var dids = new HashSet<String>();
            for (byte[] f : consumer.frames) {
                var m = (SequencedMessage) FirehoseCodec.decode(f);
                assertThat(m.seq()).isGreaterThan(last);
                last = m.seq();
                dids.add(m.did());
            }
            assertThat(dids).hasSize(9);
            var status = demo.status();
            assertThat(status.drops()).isEmpty();
            assertThat(status.hostsConnected()).isEqualTo(3);
            assertThat(status.seq()).isGreaterThanOrEqualTo(300);
            assertThat(demo.statusLine()).startsWith("demo: hosts 3/3").contains("drops 0");
        } finally {
            TestPostgres.dropDatabase(database);
        }
    }
}
