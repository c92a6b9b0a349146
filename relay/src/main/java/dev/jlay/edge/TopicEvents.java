package dev.jlay.edge;

import dev.jlay.eventlog.EventSource;
import dev.jlay.eventlog.LogEvent;
import dev.jlay.kafka.FirehoseTopic;
import dev.jlay.kafka.KafkaSettings;
import java.util.ArrayList;
import java.util.List;
import java.util.function.LongSupplier;

/**
 * An edge's history: the Kafka topic, read where the ring no longer reaches (a consumer with an old
 * cursor, one that fell behind). A seq's offset is found by binary search over the partition
 * ({@link FirehoseTopic#offsetAfter}), never by a scan. One reader, one replay batch at a time.
 */
public final class TopicEvents implements EventSource, AutoCloseable {
    private final FirehoseTopic topic;
    private final LongSupplier head;

    /** @param head the edge's last seq read (the ring's head): an empty topic's history starts after it */
    public TopicEvents(KafkaSettings settings, LongSupplier head) {
        this.topic = new FirehoseTopic(settings, "jlay-edge-replay", 512);
        this.head = head;
    }

    @Override
    public synchronized long firstSeq() {
        long[] b = topic.bounds();
        if (b[1] <= b[0]) return head.getAsLong() + 1; // nothing retained: as an empty log, first = last + 1
        return EdgeFeed.event(topic.recordAt(b[0])).seq();
    }

    @Override
    public synchronized List<LogEvent> read(long fromSeq, int maxEvents, long maxBytes) {
        var out = new ArrayList<LogEvent>();
        for (var r : topic.readFrom(fromSeq, maxEvents, maxBytes)) out.add(EdgeFeed.event(r));
        return out;
    }

    @Override
    public synchronized void close() {
        topic.close();
    }
}
