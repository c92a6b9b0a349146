package dev.jlay.atproto.cid;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.Random;
import org.junit.jupiter.api.Test;

class MultibaseTest {
    @Test
    void knownVectors() {
        // RFC 4648 test vectors, lower case, no padding.
        assertThat(Multibase.encodeBase32("foobar".getBytes(StandardCharsets.US_ASCII))).isEqualTo("mzxw6ytboi");
        assertThat(Multibase.encodeBase32("f".getBytes(StandardCharsets.US_ASCII))).isEqualTo("my");
        assertThat(Multibase.encodeBase58btc("Hello World!".getBytes(StandardCharsets.US_ASCII))).isEqualTo("2NEpo7TZRRrLZSi2U");
        assertThat(Multibase.encodeBase58btc(new byte[] {0, 0, 1})).isEqualTo("112");
        assertThat(Multibase.decode("zQ3shokFTS3brHcDQrn82RUDfCZESWL1ZdCEJwekUDPQiYBme")).hasSize(35);
        assertThat(Multibase.decode("bmzxw6ytboi")).isEqualTo("foobar".getBytes(StandardCharsets.US_ASCII));
    }

    @Test
    void randomRoundTrips() {
        var r = new Random(11);
        for (int i = 0; i < 2_000; i++) {
            byte[] b = new byte[r.nextInt(50)];
            r.nextBytes(b);
            if (r.nextInt(4) == 0 && b.length > 2) {
                b[0] = 0;
                b[1] = 0;
            }
            assertThat(Multibase.decodeBase32(Multibase.encodeBase32(b))).isEqualTo(b);
            assertThat(Multibase.decodeBase58btc(Multibase.encodeBase58btc(b))).isEqualTo(b);
        }
    }

    @Test
    void rejectsBadInput() {
        assertThatThrownBy(() -> Multibase.decode("")).isInstanceOf(CidException.class);
        assertThatThrownBy(() -> Multibase.decode("fabc")).isInstanceOf(CidException.class);
        assertThatThrownBy(() -> Multibase.decodeBase58btc("0OIl")).isInstanceOf(CidException.class);
        assertThatThrownBy(() -> Multibase.decodeBase32("MZXW")).isInstanceOf(CidException.class);
        assertThatThrownBy(() -> Multibase.decodeBase32("a")).isInstanceOf(CidException.class);
        assertThatThrownBy(() -> Multibase.decodeBase32("mz")).isInstanceOf(CidException.class); // non-zero trailing bits
    }
}
