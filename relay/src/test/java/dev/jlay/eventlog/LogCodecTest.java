package dev.jlay.eventlog;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The record layout: version 2 keeps the upstream origin; version-1 records still read. */
class LogCodecTest {

    @Test
    void versionTwoKeepsHostAndUpstreamSeq() {
        var e = new LogEvent(42, EventKind.COMMIT, "did:plc:abc", LogEvent.FLAG_HIDDEN, 1_700_000_000_123L,
                new byte[] {1, 2, 3}, new Origin("pds.example.com:2583", 9_000_000_001L));
        var back = LogCodec.event(42, LogCodec.value(e));
        assertThat(back.origin()).isEqualTo(e.origin());
        assertThat(back.did()).isEqualTo("did:plc:abc");
        assertThat(back.kind()).isEqualTo(EventKind.COMMIT);
        assertThat(back.hidden()).isTrue();
        assertThat(back.timeMillis()).isEqualTo(1_700_000_000_123L);
        assertThat(back.frame()).containsExactly(1, 2, 3);
        assertThat(LogCodec.timeOf(LogCodec.value(e))).isEqualTo(1_700_000_000_123L);
    }

    @Test
    void relaysOwnEventsHaveNoOrigin() {
        var e = new LogEvent(7, EventKind.ACCOUNT, "did:plc:abc", 0, 5, new byte[] {9});
        var back = LogCodec.event(7, LogCodec.value(e));
        assertThat(back.origin()).isEqualTo(Origin.NONE);
        assertThat(back.origin().known()).isFalse();
        assertThat(back.frame()).containsExactly(9);
    }

    @Test
    void versionOneRecordsStillRead() {
        // version(1) kind(1) flags(1) time(8) didLength(2) did frame, as written before origins existed
        byte[] did = "did:plc:old".getBytes(StandardCharsets.UTF_8);
        byte[] v = new byte[13 + did.length + 2];
        v[0] = 1;
        v[1] = EventKind.IDENTITY.code();
        LogCodec.putLong(v, 3, 99);
        v[12] = (byte) did.length;
        System.arraycopy(did, 0, v, 13, did.length);
        v[v.length - 2] = 7;
        v[v.length - 1] = 8;
        var back = LogCodec.event(3, v);
        assertThat(back.did()).isEqualTo("did:plc:old");
        assertThat(back.kind()).isEqualTo(EventKind.IDENTITY);
        assertThat(back.timeMillis()).isEqualTo(99);
        assertThat(back.frame()).containsExactly(7, 8);
        assertThat(back.origin()).isEqualTo(Origin.NONE);
    }

    @Test
    void unknownVersionIsRefused() {
        var v = LogCodec.value(new LogEvent(1, EventKind.COMMIT, null, 0, 1, new byte[0]));
        v[0] = 9;
        assertThatThrownBy(() -> LogCodec.event(1, v)).isInstanceOf(EventLogException.class);
    }

    @Test
    void theDirectBufferEncodingIsByteForByteTheArrayOne() {
        var ascii = new LogEvent(5, EventKind.SYNC, "did:plc:abc", 1, 77, new byte[] {4, 5, 6},
                new Origin("pds.example.com", 12));
        // not ASCII: a host given as a Unicode name, a DID with a character outside ASCII
        var unicode = new LogEvent(6, EventKind.COMMIT, "did:web:b\u00fccher.example", 0, 78, new byte[] {7},
                new Origin("b\u00fccher.example", 13));
        for (var e : java.util.List.of(ascii, unicode)) {
            var direct = java.nio.ByteBuffer.allocateDirect(LogCodec.valueLength(e) + 5);
            direct.put((byte) 9); // a write starts at the buffer's position
            LogCodec.writeValue(e, direct);
            assertThat(direct.position()).isEqualTo(1 + LogCodec.valueLength(e));
            var bytes = new byte[LogCodec.valueLength(e)];
            direct.get(1, bytes);
            assertThat(bytes).isEqualTo(LogCodec.value(e));
            var back = LogCodec.event(e.seq(), bytes);
            assertThat(back.did()).isEqualTo(e.did());
            assertThat(back.origin()).isEqualTo(e.origin());
        }
    }

    @Test
    void aValueDecodesFromTheStartOfALongerReusedBuffer() {
        var e = new LogEvent(5, EventKind.COMMIT, "did:plc:abc", 0, 77, new byte[] {4, 5, 6},
                new Origin("pds.example.com", 12), 77_001);
        var v = LogCodec.value(e);
        var buffer = new byte[v.length + 100];
        java.util.Arrays.fill(buffer, (byte) 0x5A); // what a longer earlier value left behind
        System.arraycopy(v, 0, buffer, 0, v.length);
        var back = LogCodec.event(5, buffer, v.length);
        assertThat(back.frame()).containsExactly(4, 5, 6);
        assertThat(back.did()).isEqualTo("did:plc:abc");
        assertThat(back.origin()).isEqualTo(e.origin());
        assertThat(back.timeMicros()).isEqualTo(77_001);
        // a length past the buffer, or too short for the header it announces, is refused
        assertThatThrownBy(() -> LogCodec.event(5, buffer, buffer.length + 1)).isInstanceOf(EventLogException.class);
        assertThatThrownBy(() -> LogCodec.event(5, v, v.length - 4)).isInstanceOf(EventLogException.class);
    }
}
