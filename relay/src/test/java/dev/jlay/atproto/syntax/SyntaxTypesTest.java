package dev.jlay.atproto.syntax;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class SyntaxTypesTest {

    @Test
    void tidZeroAndKnownValue() {
        assertThat(new Tid(0).toString()).isEqualTo("2222222222222");
        assertThat(Tid.parse("2222222222222").value()).isZero();
        Tid t = Tid.parse("3jzfcijpj2z2a");
        assertThat(t.toString()).isEqualTo("3jzfcijpj2z2a");
        assertThat(Tid.of(t.micros(), t.clockId())).isEqualTo(t);
    }

    @Test
    void tidRoundTripAndOrderMatchesStringOrder() {
        var rnd = new Random(42);
        var tids = new ArrayList<Tid>();
        for (int i = 0; i < 5000; i++) {
            long micros = rnd.nextLong(Tid.MAX_MICROS + 1);
            int clock = rnd.nextInt(Tid.MAX_CLOCK_ID + 1);
            Tid t = Tid.of(micros, clock);
            assertThat(t.micros()).isEqualTo(micros);
            assertThat(t.clockId()).isEqualTo(clock);
            String s = t.toString();
            assertThat(Tid.isValid(s)).as(s).isTrue();
            assertThat(Tid.parse(s)).isEqualTo(t);
            tids.add(t);
        }
        for (int i = 1; i < tids.size(); i++) {
            Tid a = tids.get(i - 1);
            Tid b = tids.get(i);
            assertThat(Integer.signum(a.compareTo(b))).isEqualTo(Integer.signum(a.toString().compareTo(b.toString())));
        }
    }

    @Test
    void tidWithTopBitSetIsSyntacticallyValidAndSortsAfterOthers() {
        Tid high = Tid.parse("jzzzzzzzzzzzz");
        assertThat(high.value()).isNegative();
        assertThat(high.compareTo(Tid.parse("bzzzzzzzzzzzz"))).isPositive();
        assertThat(high.toString()).isEqualTo("jzzzzzzzzzzzz");
    }

    @Test
    void tidOfRejectsOutOfRange() {
        assertThatThrownBy(() -> Tid.of(-1, 0)).isInstanceOf(SyntaxException.class);
        assertThatThrownBy(() -> Tid.of(0, 1024)).isInstanceOf(SyntaxException.class);
        assertThatThrownBy(() -> Tid.parse("kjzfcijpj2z2a")).isInstanceOf(SyntaxException.class);
    }

    @Test
    void tidClockIsStrictlyMonotonicEvenWhenTheClockGoesBack() {
        var now = new AtomicLong(1_700_000_000_000_000L);
        var clock = new TidClock(now::get, 7);
        Tid prev = clock.next();
        var rnd = new Random(1);
        for (int i = 0; i < 10_000; i++) {
            now.addAndGet(rnd.nextInt(5) - 2); // stalls and steps backwards too
            Tid t = clock.next();
            assertThat(t).isGreaterThan(prev);
            assertThat(t.toString()).isGreaterThan(prev.toString());
            assertThat(t.clockId()).isEqualTo(7);
            prev = t;
        }
        now.set(prev.micros() + 1_000_000);
        assertThat(clock.next().micros()).isEqualTo(now.get());
    }

    @Test
    void systemTidClockIsNearNow() {
        Tid t = TidClock.system(0).next();
        long nowMicros = System.currentTimeMillis() * 1000;
        assertThat(t.micros()).isBetween(nowMicros - 60_000_000L, nowMicros + 60_000_000L);
    }

    @Test
    void datetimeParsesToInstant() {
        assertThat(Datetime.parse("1985-04-12T23:20:50.123Z")).isEqualTo(Instant.parse("1985-04-12T23:20:50.123Z"));
        assertThat(Datetime.parse("1985-04-12T23:20:50.123+01:45"))
                .isEqualTo(Instant.parse("1985-04-12T21:35:50.123Z"));
        assertThat(Datetime.parse("1985-04-12T23:20:50.1234567891234Z").getNano()).isEqualTo(123456789);
        assertThat(Datetime.parse("2024-02-29T00:00:00Z")).isEqualTo(Instant.parse("2024-02-29T00:00:00Z"));
        assertThat(Datetime.isValid("2023-02-29T00:00:00Z")).isFalse();
        assertThat(Datetime.isValid("1900-02-29T00:00:00Z")).isFalse();
        assertThat(Datetime.isValid("2000-02-29T00:00:00Z")).isTrue();
        assertThat(Datetime.parse("0000-01-01T00:00:00Z")).isEqualTo(Instant.parse("0000-01-01T00:00:00Z"));
        assertThat(Datetime.isValid("1985-04-12T23:20:50.Z")).isFalse();
        assertThat(Datetime.isValid("1985-04-12T24:00:00Z")).isFalse();
        assertThat(Datetime.isValid("1985-04-12T23:20:50+24:00")).isFalse();
    }

    @Test
    void datetimeFormatRoundTrips() {
        var rnd = new Random(3);
        for (int i = 0; i < 2000; i++) {
            Instant t = Instant.ofEpochMilli(rnd.nextLong(0, 4_000_000_000_000L));
            String s = Datetime.format(t);
            assertThat(Datetime.isValid(s)).as(s).isTrue();
            assertThat(Datetime.parse(s)).isEqualTo(t);
        }
    }

    @Test
    void handleNormalizesAndFlagsDisallowedTlds() {
        assertThat(Handle.parse("Alice.BSKY.social").value()).isEqualTo("alice.bsky.social");
        assertThat(Handle.parse("laptop.local").hasDisallowedTld()).isTrue();
        assertThat(Handle.parse("handle.invalid").hasDisallowedTld()).isTrue();
        assertThat(Handle.parse("alice.test").hasDisallowedTld()).isFalse();
        assertThatThrownBy(() -> Handle.parse("alice")).isInstanceOf(SyntaxException.class);
    }

    @Test
    void didParts() {
        Did d = Did.parse("did:plc:ewvi7nxzyoun6zhxrhs64oiz");
        assertThat(d.method()).isEqualTo("plc");
        assertThat(d.identifier()).isEqualTo("ewvi7nxzyoun6zhxrhs64oiz");
        assertThat(d.isPlc()).isTrue();
        assertThat(Did.parse("did:web:example.com").isWeb()).isTrue();
        assertThatThrownBy(() -> Did.parse("did:plc:")).isInstanceOf(SyntaxException.class);
    }

    @Test
    void atUriParts() {
        AtUri u = AtUri.parse("at://did:plc:abc/app.bsky.feed.post/3jzfcijpj2z2a");
        assertThat(u.authority()).isEqualTo("did:plc:abc");
        assertThat(u.collection()).isEqualTo("app.bsky.feed.post");
        assertThat(u.rkey()).isEqualTo("3jzfcijpj2z2a");
        assertThat(u.toString()).isEqualTo("at://did:plc:abc/app.bsky.feed.post/3jzfcijpj2z2a");
        AtUri bare = AtUri.parse("at://alice.test");
        assertThat(bare.collection()).isNull();
        assertThat(bare.rkey()).isNull();
        assertThat(AtUri.parse("at://alice.test/app.bsky.feed.post").rkey()).isNull();
    }

    @Test
    void nsidParts() {
        Nsid n = Nsid.parse("app.bsky.feed.post");
        assertThat(n.authority()).isEqualTo("feed.bsky.app");
        assertThat(n.name()).isEqualTo("post");
    }

    @Test
    void recordKeyRangeCheckDoesNotNeedSubstring() {
        String path = "app.bsky.feed.post/3jzfcijpj2z2a";
        assertThat(RecordKey.isValid(path, path.indexOf('/') + 1, path.length())).isTrue();
        assertThat(RecordKey.isValid(path, 0, path.length())).isFalse();
    }

    @Test
    void exceptionMessageShortensHugeInputs() {
        String huge = "x".repeat(10_000);
        assertThatThrownBy(() -> Did.parse(huge)).isInstanceOf(SyntaxException.class)
                .satisfies(e -> assertThat(e.getMessage().length()).isLessThan(200));
    }
}
