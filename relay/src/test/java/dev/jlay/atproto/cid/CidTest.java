package dev.jlay.atproto.cid;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.Random;
import org.junit.jupiter.api.Test;

class CidTest {
    @Test
    void dagCborAndRawCidsHaveTheBlessedPrefixes() {
        Cid c = Cid.ofDagCbor(new byte[] {(byte) 0xa0});
        assertThat(c.toString()).startsWith("bafyrei");
        assertThat(c.codec()).isEqualTo(Cid.CODEC_DAG_CBOR);
        assertThat(c.hashType()).isEqualTo(Cid.HASH_SHA2_256);
        assertThat(c.toBytes()).hasSize(36);
        assertThat(c.digest()).isEqualTo(Sha256.hash(new byte[] {(byte) 0xa0}));
        assertThat(c.matches(new byte[] {(byte) 0xa0})).isTrue();
        assertThat(c.matches(new byte[] {(byte) 0xa1})).isFalse();
        Cid raw = Cid.ofRaw("x".getBytes(StandardCharsets.UTF_8));
        assertThat(raw.toString()).startsWith("bafkrei");
        assertThat(raw.isBlessed()).isTrue();
    }

    @Test
    void parseToStringAndBytesRoundTrip() {
        var r = new Random(7);
        for (int i = 0; i < 500; i++) {
            byte[] block = new byte[r.nextInt(100)];
            r.nextBytes(block);
            Cid c = r.nextBoolean() ? Cid.ofDagCbor(block) : Cid.ofRaw(block);
            Cid parsed = Cid.parse(c.toString());
            assertThat(parsed).isEqualTo(c).hasSameHashCodeAs(c);
            assertThat(Cid.fromBytes(c.toBytes())).isEqualTo(c);
            assertThat(parsed.toString()).isEqualTo(c.toString());
        }
    }

    @Test
    void readFromReportsTheLengthConsumed() {
        Cid c = Cid.ofDagCbor(new byte[] {1});
        byte[] buf = new byte[50];
        c.writeTo(buf, 3);
        Cid read = Cid.readFrom(buf, 3, 47);
        assertThat(read).isEqualTo(c);
        assertThat(read.byteLength()).isEqualTo(36);
        assertThatThrownBy(() -> Cid.fromBytes(buf, 3, 47)).isInstanceOf(CidException.class);
    }

    @Test
    void rejectsMalformedCids() {
        assertThatThrownBy(() -> Cid.parse("")).isInstanceOf(CidException.class);
        assertThatThrownBy(() -> Cid.parse(".")).isInstanceOf(CidException.class);
        assertThatThrownBy(() -> Cid.parse("Bafyreie")).isInstanceOf(CidException.class);
        assertThatThrownBy(() -> Cid.parse("QmY7Yh4UquoXHLPFo2XbhXkhBvFoPwmQUSa92pxnxjQuPU")).isInstanceOf(CidException.class);
        assertThatThrownBy(() -> Cid.fromBytes(new byte[] {1, 0x71, 0x12, 0x20, 1, 2})).isInstanceOf(CidException.class);
        assertThatThrownBy(() -> Cid.fromBytes(new byte[] {2, 0x71, 0x12, 0x20})).isInstanceOf(CidException.class);
        assertThatThrownBy(() -> Cid.fromBytes(new byte[] {1, (byte) 0xf1, 0x00, 0x12, 0x20})).isInstanceOf(CidException.class);
        String valid = Cid.ofDagCbor(new byte[] {1}).toString();
        assertThatThrownBy(() -> Cid.parse(valid.toUpperCase())).isInstanceOf(CidException.class);
        assertThatThrownBy(() -> Cid.parse(valid + "a")).isInstanceOf(CidException.class);
    }
}
