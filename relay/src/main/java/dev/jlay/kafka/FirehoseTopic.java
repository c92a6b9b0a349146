package dev.jlay.kafka;

import java.time.Duration;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * The firehose topic's one partition, as the publisher and the edge see it: made if missing, its
 * last record's seq (where a restarted primary goes on from), and the offset of a seq (where an edge
 * starts a cursor), found by a binary search over offsets since seqs only grow along the partition
 * (after one direct try: offset - seq of the last record read, right while seqs are contiguous).
 * Every call needs the cluster and throws {@link KafkaUnavailable} when it does not answer in time.
 */
public final class FirehoseTopic implements AutoCloseable {
    /** The largest record the topic takes (the producer's max.request.size too): above the 5 MiB frame cap. */
    static final int MAX_RECORD_BYTES = 8 << 20;

    private final KafkaSettings settings;
    private final TopicPartition partition;
    private final KafkaConsumer<byte[], byte[]> reader;
    /** offset - seq of the last record read; Long.MIN_VALUE before the first. */
    private long lastBase = Long.MIN_VALUE;

    public FirehoseTopic(KafkaSettings settings, String clientId) {
        this(settings, clientId, 1);
    }

    /** @param maxPollRecords records one read may bring (1 for the tail and the seq search, more for replay) */
    public FirehoseTopic(KafkaSettings settings, String clientId, int maxPollRecords) {
        this.settings = settings;
        this.partition = new TopicPartition(settings.topic(), 0);
        var p = settings.common(clientId);
        p.put("enable.auto.commit", "false");
        p.put("max.poll.records", Integer.toString(maxPollRecords));
        p.put("fetch.max.wait.ms", "100");
        this.reader = new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer());
        reader.assign(List.of(partition));
    }

    /** The cluster or the topic did not answer, or the topic is not what the relay needs. */
    public static final class KafkaUnavailable extends RuntimeException {
        public KafkaUnavailable(String message, Throwable cause) {
            super(message, cause);
        }
    }

    public TopicPartition partition() {
        return partition;
    }

    /** Creates the topic with one partition when it does not exist; refuses one with more partitions. */
    public static void ensure(KafkaSettings settings, String clientId) {
        try (var admin = Admin.create(settings.common(clientId))) {
            try {
                // a frame may be 5 MiB; the broker's default record limit is 1 MiB
                var topic = new NewTopic(settings.topic(), 1, settings.replicationFactor())
                        .configs(java.util.Map.of("max.message.bytes", Integer.toString(MAX_RECORD_BYTES)));
                admin.createTopics(List.of(topic))
                        .all().get(KafkaSettings.CALL_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof TopicExistsException)) throw e;
            }
            var described = admin.describeTopics(List.of(settings.topic())).allTopicNames()
                    .get(KafkaSettings.CALL_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS).get(settings.topic());
            int partitions = described.partitions().size();
            if (partitions != 1) {
                throw new IllegalStateException("kafka topic " + settings.topic() + " has " + partitions
                        + " partitions; the relay's order needs exactly one");
            }
        } catch (ExecutionException | TimeoutException | KafkaException e) {
            throw new KafkaUnavailable("kafka at " + settings.bootstrapServers() + " did not make or describe topic "
                    + settings.topic() + ": " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new KafkaUnavailable("interrupted", e);
        }
    }

    /** First and next offsets of the partition (equal when empty). */
    public long[] bounds() {
        try {
            long first = reader.beginningOffsets(List.of(partition), KafkaSettings.CALL_TIMEOUT).get(partition);
            long next = reader.endOffsets(List.of(partition), KafkaSettings.CALL_TIMEOUT).get(partition);
            return new long[] {first, next};
        } catch (KafkaException e) {
            throw new KafkaUnavailable("kafka did not give the offsets of " + partition + ": " + e, e);
        }
    }

    /** The record at this offset (or the first after it, when it is gone), or null if none arrives in time. */
    public ConsumerRecord<byte[], byte[]> recordAt(long offset) {
        try {
            reader.seek(partition, offset);
            long deadline = System.nanoTime() + KafkaSettings.CALL_TIMEOUT.toNanos();
            while (System.nanoTime() < deadline) {
                var records = reader.poll(Duration.ofMillis(200)).records(partition);
                if (!records.isEmpty()) {
                    var r = records.getFirst();
                    long seq = FrameHeaders.seq(r.headers());
                    if (seq >= 0) lastBase = r.offset() - seq;
                    return r;
                }
            }
            throw new KafkaUnavailable("no record at offset " + offset + " of " + partition + " within "
                    + KafkaSettings.CALL_TIMEOUT, null);
        } catch (KafkaException e) {
            throw new KafkaUnavailable("kafka did not give offset " + offset + " of " + partition + ": " + e, e);
        }
    }

    /** The seq of the partition's last record; empty when the partition holds no record. */
    public OptionalLong lastSeq() {
        long[] b = bounds();
        if (b[1] <= b[0]) return OptionalLong.empty();
        long seq = FrameHeaders.seq(recordAt(b[1] - 1).headers());
        if (seq < 0) {
            throw new IllegalStateException("the last record of " + partition + " has no seq header: "
                    + "the topic is not the relay's");
        }
        return OptionalLong.of(seq);
    }

    /**
     * The offset of the first record whose seq is greater than {@code seq}: where a consumer with that
     * cursor starts. {@code bounds()[1]} when there is none yet; the first offset when {@code seq} is
     * older than everything retained. O(log n) reads, no scan.
     */
    public long offsetAfter(long seq) {
        long[] b = bounds();
        long lo = b[0];
        long hi = b[1];
        // seqs are contiguous along the partition (the publisher sends every event), so offset - seq of
        // the last record read usually places seq + 1 exactly: one read instead of a search
        if (lastBase != Long.MIN_VALUE) {
            long guess = seq + 1 + lastBase;
            if (guess >= lo && guess < hi) {
                var r = recordAt(guess);
                if (r.offset() == guess && FrameHeaders.seq(r.headers()) == seq + 1) return guess;
            }
        }
        while (lo < hi) {
            long mid = lo + (hi - lo) / 2;
            var r = recordAt(mid);
            long at = FrameHeaders.seq(r.headers());
            if (at > seq) {
                hi = Math.min(mid, r.offset());
            } else {
                lo = Math.max(mid, r.offset()) + 1;
            }
        }
        return lo;
    }

    /**
     * Records from the first whose seq is at least {@code fromSeq}, up to the partition's end as it was
     * when called, at most {@code maxRecords} and about {@code maxBytes} of values (at least one).
     */
    public List<ConsumerRecord<byte[], byte[]>> readFrom(long fromSeq, int maxRecords, long maxBytes) {
        long start = offsetAfter(fromSeq - 1);
        long end = bounds()[1];
        var out = new java.util.ArrayList<ConsumerRecord<byte[], byte[]>>();
        if (start >= end) return out;
        try {
            reader.seek(partition, start);
            long bytes = 0;
            long deadline = System.nanoTime() + KafkaSettings.CALL_TIMEOUT.toNanos();
            while (out.size() < maxRecords && bytes < maxBytes && reader.position(partition) < end) {
                if (System.nanoTime() > deadline) {
                    if (!out.isEmpty()) break;
                    throw new KafkaUnavailable("no record from offset " + start + " of " + partition + " within "
                            + KafkaSettings.CALL_TIMEOUT, null);
                }
                for (var r : reader.poll(Duration.ofMillis(200)).records(partition)) {
                    if (out.size() >= maxRecords || bytes >= maxBytes) break;
                    out.add(r);
                    bytes += r.serializedValueSize();
                }
            }
            return out;
        } catch (KafkaException e) {
            throw new KafkaUnavailable("kafka did not give records of " + partition + ": " + e, e);
        }
    }

    @Override
    public void close() {
        reader.close(Duration.ofSeconds(5));
    }
}
