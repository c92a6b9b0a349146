package dev.jlay.upstream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** Backoff, rate limit and URL mapping: the small policies a host connection runs on. */
class PoliciesTest {
    @Test
    void backoffDoublesUpToTheCapWithBoundedJitter() {
        var policy = new BackoffPolicy(Duration.ofSeconds(1), Duration.ofHours(1), 0.5);
        var random = new Random(1);
        for (int attempt = 0; attempt < 200; attempt++) {
            long base = Math.min(3_600_000L, 1000L << Math.min(attempt, 40));
            for (int i = 0; i < 20; i++) {
                long ms = policy.delay(attempt, random).toMillis();
                assertThat(ms).as("attempt %d", attempt).isBetween(base / 2, base);
            }
        }
        var exact = new BackoffPolicy(Duration.ofSeconds(1), Duration.ofSeconds(30), 0);
        assertThat(List.of(0, 1, 2, 3, 4, 5, 6, 1000).stream().map(a -> exact.delay(a, random).toSeconds()))
                .containsExactly(1L, 2L, 4L, 8L, 16L, 30L, 30L, 30L);
        assertThatThrownBy(() -> new BackoffPolicy(Duration.ZERO, Duration.ofSeconds(1), 0))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void slidingWindowAdmitsTheLimitThenMakesCallersWait() {
        var clock = new AtomicLong(0);
        var limiter = new SlidingWindowRateLimiter(List.of(
                new SlidingWindowRateLimiter.Limit(10, Duration.ofSeconds(1)),
                new SlidingWindowRateLimiter.Limit(25, Duration.ofHours(1))), clock::get);
        for (int i = 0; i < 10; i++) {
            assertThat(limiter.tryTake()).isZero();
        }
        assertThat(limiter.tryTake()).isPositive();
        assertThat(limiter.wouldWait()).isTrue();
        clock.addAndGet(Duration.ofMillis(1500).toNanos()); // half of the previous second still counts
        int admitted = 0;
        while (limiter.tryTake() == 0) {
            admitted++;
        }
        assertThat(admitted).isEqualTo(5);
        clock.addAndGet(Duration.ofSeconds(10).toNanos());
        admitted = 0;
        while (limiter.tryTake() == 0) {
            admitted++;
        }
        assertThat(admitted).as("hour window: 25 - 15 left").isEqualTo(10);
        long wait = limiter.tryTake();
        assertThat(wait).isGreaterThan(Duration.ofMinutes(30).toNanos());
    }

    @Test
    void hostsMapToWebSocketUrls() {
        assertThat(SubscribeUri.base("pds.example.com", false)).isEqualTo(URI.create("wss://pds.example.com"));
        assertThat(SubscribeUri.base("https://PDS.example.com/", false)).isEqualTo(URI.create("wss://pds.example.com"));
        assertThat(SubscribeUri.base("https://pds.example.com:8443", false))
                .isEqualTo(URI.create("wss://pds.example.com:8443"));
        assertThat(SubscribeUri.base("http://localhost:2583", true)).isEqualTo(URI.create("ws://localhost:2583"));
        assertThat(SubscribeUri.base("ws://127.0.0.1:9", true)).isEqualTo(URI.create("ws://127.0.0.1:9"));
        assertThat(SubscribeUri.base("localhost:2583", true)).isEqualTo(URI.create("ws://localhost:2583"));
        for (String bad : new String[] {"http://localhost:2583", "ws://x.example", "ftp://x.example",
                "https://x.example/path", "https://x.example?q=1", "https://u@x.example", "https://"}) {
            assertThatThrownBy(() -> SubscribeUri.base(bad, false)).as(bad).isInstanceOf(IllegalArgumentException.class);
        }
        URI base = URI.create("wss://pds.example.com");
        assertThat(SubscribeUri.subscribe(base, 0))
                .isEqualTo(URI.create("wss://pds.example.com/xrpc/com.atproto.sync.subscribeRepos"));
        assertThat(SubscribeUri.subscribe(base, 1234))
                .isEqualTo(URI.create("wss://pds.example.com/xrpc/com.atproto.sync.subscribeRepos?cursor=1234"));
    }
}
