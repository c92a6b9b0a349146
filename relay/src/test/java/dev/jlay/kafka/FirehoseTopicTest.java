package dev.jlay.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jlay.testing.TestKafka;
import java.util.Properties;
import java.util.stream.LongStream;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;

/**
 * A seq's offset on a real topic whose seqs have a hole (what retention on the primary can leave):
 * the first offset whose seq is greater, whether the direct guess (offset - seq of the last record
 * read) lands or the binary search has to find it.
 */
class FirehoseTopicTest {

    @Test
    void findsTheFirstOffsetAfterASeqAcrossAHoleInTheSeqs() throws Exception {
        var settings = new KafkaSettings(TestKafka.bootstrap(), TestKafka.freshTopic("offsets"), 1 << 20, (short) 1);
        FirehoseTopic.ensure(settings, "test-admin");
        var p = new Properties();
        p.put("bootstrap.servers", settings.bootstrapServers());
        // offsets 0..9 hold seqs 1..10, offsets 10..15 hold seqs 15..20
        var seqs = LongStream.concat(LongStream.rangeClosed(1, 10), LongStream.rangeClosed(15, 20)).toArray();
        try (var producer = new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer())) {
            for (long seq : seqs) {
                producer.send(new ProducerRecord<>(settings.topic(), 0, 1000L * seq, null, new byte[] {(byte) seq},
                        FrameHeaders.of(seq, 1000L * seq, "did:plc:x", "commit", false))).get();
            }
        }
        try (var topic = new FirehoseTopic(settings, "test-reader")) {
            assertThat(topic.lastSeq()).hasValue(20);
            assertThat(topic.offsetAfter(0)).isEqualTo(0);
            assertThat(topic.offsetAfter(5)).isEqualTo(5);   // seq 6 at offset 5
            assertThat(topic.offsetAfter(9)).isEqualTo(9);   // the guess from the last read lands
            assertThat(topic.offsetAfter(10)).isEqualTo(10); // seq 15, past the hole: the guess misses, the search finds it
            assertThat(topic.offsetAfter(12)).isEqualTo(10);
            assertThat(topic.offsetAfter(14)).isEqualTo(10);
            assertThat(topic.offsetAfter(15)).isEqualTo(11);
            assertThat(topic.offsetAfter(19)).isEqualTo(15);
            assertThat(topic.offsetAfter(20)).as("nothing after the last").isEqualTo(16);
            assertThat(topic.offsetAfter(99)).isEqualTo(16);
            var from = topic.readFrom(12, 100, 1 << 20);
            assertThat(from).extracting(r -> FrameHeaders.seq(r.headers())).containsExactly(15L, 16L, 17L, 18L, 19L, 20L);
            assertThat(topic.readFrom(3, 2, 1 << 20)).extracting(r -> FrameHeaders.seq(r.headers())).containsExactly(3L, 4L);
        }
    }
}
