package dev.jlay.eventlog;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jlay.testing.SeqStampedFrames;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The event log survives SIGKILL: every seq the sequencer acknowledged is on
 * disk with the right bytes, and a restart continues with no gap and no
 * duplicate. The sequencer runs in a separate JVM so the kill is real.
 */
class KillNineTest {
    @TempDir
    Path dir;

    /** Runs the child until it acknowledged at least {@code acks} frames, then kills it; returns index → seq. */
    private Map<Long, Long> runAndKill(long firstIndex, int acks) throws Exception {
        var java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        var process = new ProcessBuilder(java, "--enable-native-access=ALL-UNNAMED",
                "-cp", System.getProperty("java.class.path"),
                SequencerChild.class.getName(), dir.toString(), Long.toString(firstIndex))
                .redirectError(ProcessBuilder.Redirect.INHERIT)
                .start();
        var acked = new HashMap<Long, Long>();
        try (var reader = new BufferedReader(new InputStreamReader(process.getInputStream(),
                StandardCharsets.US_ASCII))) {
            String line;
            while ((line = reader.readLine()) != null) {
                var parts = line.split(" ");
                if (parts[0].equals("ack")) {
                    acked.put(Long.parseLong(parts[1]), Long.parseLong(parts[2]));
                    if (acked.size() >= acks) {
                        // kill while the child is still appending
                        process.destroyForcibly();
                        break;
                    }
                } else if (parts[0].equals("fail")) {
                    throw new AssertionError("child reported a failed append: " + line);
                }
            }
        } finally {
            process.destroyForcibly();
            assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
        }
        assertThat(acked).as("child acknowledged frames before being killed").hasSizeGreaterThanOrEqualTo(acks);
        return acked;
    }

    private static void assertLogHolds(EventLog log, Map<Long, Long> acked) {
        for (var e : acked.entrySet()) {
            long index = e.getKey();
            long seq = e.getValue();
            var event = log.get(seq);
            assertThat(event).as("acknowledged seq %d", seq).isPresent();
            assertThat(event.get().frame())
                    .isEqualTo(SeqStampedFrames.stamped(seq, SeqStampedFrames.payload(index, 200 + (int) (index % 300))));
        }
    }

    private static void assertContiguous(EventLog log) {
        var all = log.read(log.firstSeq(), Integer.MAX_VALUE, Long.MAX_VALUE);
        long expect = log.firstSeq();
        for (var e : all) {
            assertThat(e.seq()).isEqualTo(expect);
            assertThat(SeqStampedFrames.seqOf(e.frame())).isEqualTo(expect);
            expect++;
        }
        assertThat(expect - 1).isEqualTo(log.lastSeq());
        assertThat(log.nextSeq()).isEqualTo(log.lastSeq() + 1);
    }

    @Test
    void everyAcknowledgedEventSurvivesSigkillAndSeqsContinueWithoutGapOrDuplicate() throws Exception {
        var first = runAndKill(0, 2000);
        long maxAcked = first.values().stream().mapToLong(Long::longValue).max().orElseThrow();
        long lastAfterFirst;
        try (var log = EventLog.open(dir, 1, 1 << 20)) {
            assertThat(log.firstSeq()).isEqualTo(1);
            assertThat(log.lastSeq()).isGreaterThanOrEqualTo(maxAcked);
            assertLogHolds(log, first);
            assertContiguous(log);
            lastAfterFirst = log.lastSeq();
        }

        // a second life continues right after the last durable seq, and survives its own kill
        var second = runAndKill(1_000_000, 1000);
        long minSecond = second.values().stream().mapToLong(Long::longValue).min().orElseThrow();
        assertThat(minSecond).isGreaterThan(lastAfterFirst);
        assertThat(second.get(1_000_000L)).isEqualTo(lastAfterFirst + 1);
        try (var log = EventLog.open(dir, 1, 1 << 20)) {
            assertLogHolds(log, first);
            assertLogHolds(log, second);
            assertContiguous(log);
        }
    }
}
