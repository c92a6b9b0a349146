package dev.jlay.testing;

import static org.junit.jupiter.api.Assertions.fail;

import dev.jlay.kafka.FrameHeaders;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * The real Kafka broker the Kafka tests run against: {@code scripts/test} starts one in the background
 * ({@code scripts/kafka start}) and exports {@code JLAY_TEST_KAFKA_DIR}, where it says when it is ready;
 * or {@code JLAY_TEST_KAFKA_BOOTSTRAP} names one started by hand. Without either these tests
 * FAIL (they do not skip), saying how to start one. Each test uses a topic of its own.
 */
public final class TestKafka {
    public static final String ENV = "JLAY_TEST_KAFKA_BOOTSTRAP";
    /** Where {@code scripts/test} starts the broker in the background: it writes DIR/bootstrap when ready. */
    public static final String DIR_ENV = "JLAY_TEST_KAFKA_DIR";

    private TestKafka() {
    }

    public static String bootstrap() {
        var servers = System.getenv(ENV);
        var dir = System.getenv(DIR_ENV);
        if ((servers == null || servers.isBlank()) && dir != null && !dir.isBlank()) {
            servers = startedBy(Path.of(dir));
        }
        if (servers == null || servers.isBlank()) {
            fail(ENV + " is not set: this test needs a real Kafka broker. Run the suite with scripts/test "
                    + "(it starts one), or start one yourself: `export " + ENV + "=$(scripts/kafka start)`, "
                    + "then run mvn (and `scripts/kafka destroy` afterwards).");
        }
        return servers;
    }

    /** Waits (at most 3 minutes) for the broker scripts/test is starting, and returns its address. */
    private static String startedBy(Path dir) {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(3);
        try {
            while (System.nanoTime() < deadline) {
                if (Files.exists(dir.resolve("bootstrap"))) {
                    var lines = Files.readAllLines(dir.resolve("bootstrap"));
                    if (!lines.isEmpty()) return lines.getLast().strip();
                }
                if (Files.exists(dir.resolve("start.failed"))) {
                    return fail("the test Kafka broker did not start: " + Files.readString(dir.resolve("start.failed")));
                }
                Thread.sleep(100);
            }
        } catch (IOException e) {
            return fail("cannot read " + dir + ": " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return fail("the test Kafka broker in " + dir + " was not ready within 3 minutes");
    }

    /** A topic name no other test uses. */
    public static String freshTopic(String label) {
        return "jlay-test-" + label + "-" + Long.toHexString(ThreadLocalRandom.current().nextLong() >>> 1);
    }

    /** One record of the firehose topic as a test checks it. */
    public record Record(long offset, long seq, String did, String kind, String time, long timestamp, byte[] value) {}

    /** The next offset of the topic's partition 0 (its record count while nothing is deleted); 0 before it exists. */
    public static long endOffset(String bootstrap, String topic) {
        var p = new Properties();
        p.put("bootstrap.servers", bootstrap);
        p.put("default.api.timeout.ms", "10000");
        var tp = new TopicPartition(topic, 0);
        try (var c = new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            if (!c.listTopics(Duration.ofSeconds(10)).containsKey(topic)) return 0;
            return c.endOffsets(List.of(tp), Duration.ofSeconds(10)).get(tp);
        }
    }

    /** Every record of the topic's partition 0 up to its current end. */
    public static List<Record> readAll(String bootstrap, String topic) {
        var p = new Properties();
        p.put("bootstrap.servers", bootstrap);
        p.put("enable.auto.commit", "false");
        var tp = new TopicPartition(topic, 0);
        var out = new ArrayList<Record>();
        try (var c = new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            c.assign(List.of(tp));
            long end = c.endOffsets(List.of(tp), Duration.ofSeconds(30)).get(tp);
            c.seekToBeginning(List.of(tp));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (c.position(tp, Duration.ofSeconds(30)) < end) {
                if (System.nanoTime() > deadline) fail("reading " + topic + " did not reach offset " + end);
                for (var r : c.poll(Duration.ofMillis(200)).records(tp)) {
                    out.add(new Record(r.offset(), FrameHeaders.seq(r.headers()), FrameHeaders.text(r.headers(), "did"),
                            FrameHeaders.text(r.headers(), "kind"), FrameHeaders.text(r.headers(), "time"),
                            r.timestamp(), r.value()));
                }
            }
        }
        return out;
    }

    /**
     * A broker of a test's own (via {@code scripts/kafka}) that the test may stop, kill and start, on
     * an address fixed before its first start: a client can be pointed at it while it is down.
     */
    public static final class Broker implements AutoCloseable {
        private final Path dir;
        private final Path script;
        private final String bootstrap;

        private Broker(Path dir, Path script, String bootstrap) {
            this.dir = dir;
            this.script = script;
            this.bootstrap = bootstrap;
        }

        /** Chooses its ports; nothing runs until {@link #start}. */
        public static Broker notStarted() throws IOException {
            var dir = Files.createTempDirectory(Path.of("/tmp"), "jlay-test-kafka-");
            int port = freePort();
            Files.writeString(dir.resolve("port"), port + "\n");
            Files.writeString(dir.resolve("controller-port"), freePort() + "\n");
            return new Broker(dir, findScript(), "127.0.0.1:" + port);
        }

        public String bootstrap() {
            return bootstrap;
        }

        public void start() {
            var said = run("start");
            if (!said.equals(bootstrap)) fail("scripts/kafka started on " + said + ", expected " + bootstrap);
        }

        public void kill() {
            run("kill");
        }

        @Override
        public void close() {
            run("destroy");
        }

        private String run(String command) {
            return ScriptCommand.run(script, command, dir, 180);
        }

        private static int freePort() throws IOException {
            try (var s = new ServerSocket(0)) {
                return s.getLocalPort();
            }
        }

        private static Path findScript() {
            for (var base = Path.of("").toAbsolutePath(); base != null; base = base.getParent()) {
                var s = base.resolve("scripts/kafka");
                if (Files.isExecutable(s)) return s;
            }
            return fail("scripts/kafka not found from " + Path.of("").toAbsolutePath());
        }
    }
}
