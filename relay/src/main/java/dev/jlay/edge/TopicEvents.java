package dev.jlay.edge;

import dev.jlay.eventlog.EventSource;
import dev.jlay.eventlog.LogEvent;
import dev.jlay.kafka.FirehoseTopic;
import dev.jlay.kafka.KafkaSettings;
import java.util.ArrayList;
import java.util.List;

/**
 * An edge's history: the Kafka topic, read where the ring no longer reaches (a consumer with an old
 * cursor, one that fell behind). A seq's offset is found by binary search over the partition
 * ({@link FirehoseTopic#offsetAfter}), never by a scan. One reader, one replay batch at a time.
 */
public final class TopicEvents implements EventSource, AutoCloseable {
    private final FirehoseTopic topic;

    public TopicEvents(KafkaSettings settings) {
        this.topic = new FirehoseTopic(settings, "jlay-edge-replay", 512);
    }

    @Override
    public synchronized long firstSeq() {
        long[] b = topic.bounds();
        if (b[1] <= b[0]) return Long.MAX_VALUE; // nothing retained: every cursor is past the start
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
