package dev.jlay.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.jlay.atproto.stream.CommitMessage;
import dev.jlay.atproto.stream.FirehoseCodec;
import dev.jlay.atproto.stream.SequencedMessage;
import dev.jlay.pipeline.FrameFile;
import dev.jlay.testing.LoopbackPds;
import dev.jlay.testing.RelayProcess;
import dev.jlay.testing.DidDocServer;
import dev.jlay.testing.FirehoseClient;
import dev.jlay.testing.SharedFixtures;
import dev.jlay.testing.TestPostgres;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code jlay serve} as its own process, killed with SIGKILL while a host is still sending and a
 * consumer is reading, then started again on the same data dir and database. Every event the
 * consumer had received is still in the log at the same seq with the same bytes, seqs stay
 * contiguous with no duplicate, and every commit of the host ends up in the log.
 */
class RelayKillNineTest {
    private static final Duration WAIT = Duration.ofSeconds(240); // a cold child JVM on a loaded 2-core machine

    @TempDir
    Path dir;

    @Test
    void killNineMidStreamLosesNothingAConsumerSawAndRepeatsNoSeq() throws Exception {
        List<byte[]> frames = FrameFile.read(SharedFixtures.corpusDir().resolve("pds0.frames"));
        String database = TestPostgres.freshDatabase("kill9");
        try (var host = new LoopbackPds(frames, Duration.ofMillis(8));
             var plc = new DidDocServer().serveCorpus(SharedFixtures.corpusDir().resolve("did-docs.json"),
                     Map.of("http://localhost:2583", host.url()))) {
            var env = Map.of("RELAY_DATA_DIR", dir.resolve("data").toString(), "RELAY_DATABASE_URL", database,
                    "RELAY_HOST", "127.0.0.1", "RELAY_PORT", "0", "RELAY_METRICS_PORT", "0",
                    "RELAY_PLC_URL", plc.url().toString(), "RELAY_ALLOW_INSECURE_HOSTS", "true",
                    "RELAY_UPSTREAM_HOSTS", host.host(), "RELAY_ADMIN_TOKEN", "kill9-test-token");

            var first = RelayProcess.start(env);
            List<byte[]> seenBeforeKill;
            try (var consumer = FirehoseClient.connect(first.port(), "cursor=0")) {
                await().atMost(WAIT).until(() -> consumer.frames.size() >= 150);
                first.kill9(); // SIGKILL: no shutdown hook, no flush
                seenBeforeKill = List.copyOf(consumer.frames);
            }
            assertThat(seenBeforeKill.size()).isLessThan(frames.size()); // killed mid-stream

            try (var second = RelayProcess.start(env)) {
                long expectedCommits = frames.stream().filter(f -> FirehoseCodec.decode(f) instanceof CommitMessage).count();
                try (var all = FirehoseClient.connect(second.port(), "cursor=0")) {
                    await().atMost(WAIT).until(() -> commitKeys(all.frames).size() == expectedCommits);
                    // the host's frames re-read after the restart (its persisted cursor lags) must not pass twice:
                    // let the second relay settle, then the log holds each host frame exactly once
                    await().pollDelay(Duration.ofSeconds(2)).atMost(WAIT).until(() -> all.frames.size() >= frames.size());
                    Thread.sleep(1_000);
                    var log = List.copyOf(all.frames);
                    assertThat(eventKeys(log)).as("each host event exactly once, none carried twice after the restart")
                            .containsExactlyInAnyOrderElementsOf(eventKeys(frames));
                    // what the consumer saw before the kill is still there, byte for byte, at the same seq
                    for (int i = 0; i < seenBeforeKill.size(); i++) {
                        assertThat(log.get(i)).as("event %d", i).isEqualTo(seenBeforeKill.get(i));
                    }
                    var seqs = log.stream().map(f -> ((SequencedMessage) FirehoseCodec.decode(f)).seq()).toList();
                    for (int i = 0; i < seqs.size(); i++) assertThat(seqs.get(i)).isEqualTo(i + 1L);
                }
                second.recoveryLines.forEach(line -> System.out.println("child: " + line)); // evidence in the report
            }
        }
    }

    /** (repo, rev) of every commit: each upstream commit must be in the log (at least) once. */
    private static HashSet<String> commitKeys(List<byte[]> frames) {
        var keys = new HashSet<String>();
        for (byte[] f : new ArrayList<>(frames)) {
            if (FirehoseCodec.decode(f) instanceof CommitMessage c) keys.add(c.repo() + " " + c.rev());
        }
        return keys;
    }

    /** What identifies an upstream event whatever relay seq it got: its type, DID and rev (or upstream time). */
    private static List<String> eventKeys(List<byte[]> frames) {
        var keys = new ArrayList<String>();
        for (byte[] f : frames) {
            keys.add(switch ((SequencedMessage) FirehoseCodec.decode(f)) {
                case CommitMessage c -> "commit " + c.repo() + " " + c.rev();
                case dev.jlay.atproto.stream.SyncMessage s -> "sync " + s.did() + " " + s.rev();
                case dev.jlay.atproto.stream.IdentityMessage i -> "identity " + i.did() + " " + i.time();
                case dev.jlay.atproto.stream.AccountMessage a -> "account " + a.did() + " " + a.time();
            });
        }
        return keys;
    }
}
