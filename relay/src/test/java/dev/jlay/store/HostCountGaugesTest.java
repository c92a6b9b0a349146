package dev.jlay.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import dev.jlay.metrics.MetricRegistry;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** relay_upstream_hosts{status}: counted in the background; a scrape reads the last answer and never waits. */
class HostCountGaugesTest {

    /** A host store over {@code storage} whose countByStatus counts calls, and fails or hangs on demand. */
    private static HostStore hosts(InMemoryStorage storage, AtomicInteger asked, AtomicBoolean down,
                                   CountDownLatch hang) {
        return (HostStore) java.lang.reflect.Proxy.newProxyInstance(HostStore.class.getClassLoader(),
                new Class<?>[] {HostStore.class}, (proxy, method, args) -> {
                    if (method.getName().equals("countByStatus")) {
                        asked.incrementAndGet();
                        if (down.get()) throw new StoreException("database unavailable");
                        if (hang != null && hang.getCount() > 0) hang.await(); // a half-open connection
                    }
                    return method.invoke(storage.hosts(), args);
                });
    }

    private static InMemoryStorage twoHosts() {
        var storage = new InMemoryStorage();
        storage.hosts().register("a.example", StorageContract.LIMITS, false);
        storage.hosts().register("b.example", StorageContract.LIMITS, false);
        storage.hosts().setStatus("b.example", HostStatus.BANNED);
        return storage;
    }

    @Test
    void readingTheGaugesNeverAsksAndAnOutageKeepsTheLastAnswer() {
        var storage = twoHosts();
        var asked = new AtomicInteger();
        var down = new AtomicBoolean();
        var now = new AtomicLong();
        var gauges = new HostCountGauges(hosts(storage, asked, down, null), now::get);

        assertThat(gauges.count(HostStatus.ACTIVE)).as("nothing before the first answer").isZero();
        assertThat(gauges.refresh(Duration.ofSeconds(5))).isTrue();
        assertThat(gauges.count(HostStatus.ACTIVE)).isEqualTo(1);
        assertThat(gauges.count(HostStatus.BANNED)).isEqualTo(1);
        assertThat(gauges.count(HostStatus.OFFLINE)).isZero();
        assertThat(asked).as("reads do not ask").hasValue(1);

        storage.hosts().register("c.example", StorageContract.LIMITS, false);
        now.addAndGet(TimeUnit.SECONDS.toNanos(6));
        assertThat(gauges.count(HostStatus.ACTIVE)).as("until the next refresh").isEqualTo(1);
        assertThat(gauges.ageSeconds()).isEqualTo(6.0);
        assertThat(gauges.refresh(Duration.ofSeconds(5))).isTrue();
        assertThat(gauges.count(HostStatus.ACTIVE)).isEqualTo(2);
        assertThat(gauges.ageSeconds()).isZero();

        down.set(true);
        now.addAndGet(TimeUnit.SECONDS.toNanos(6));
        assertThat(gauges.refresh(Duration.ofSeconds(5))).isFalse();
        assertThat(gauges.count(HostStatus.ACTIVE)).as("the last answer while the database is down").isEqualTo(2);
        assertThat(gauges.ageSeconds()).as("staleness shows").isEqualTo(6.0);
    }

    @Test
    void aHungDatabaseNeitherHoldsTheScrapeNorPilesUpQuestions() throws Exception {
        var storage = twoHosts();
        var asked = new AtomicInteger();
        var hang = new CountDownLatch(1);
        var gauges = new HostCountGauges(hosts(storage, asked, new AtomicBoolean(), null), System::nanoTime);
        var metrics = new MetricRegistry();
        gauges.register(metrics);
        assertThat(gauges.refresh(Duration.ofSeconds(5))).isTrue();

        var hanging = new HostCountGauges(hosts(storage, asked, new AtomicBoolean(), hang), System::nanoTime);
        var hungMetrics = new MetricRegistry();
        hanging.register(hungMetrics);
        try {
            hanging.start(Duration.ofMillis(10), Duration.ofMillis(50));
            await().atMost(Duration.ofSeconds(5)).until(() -> failures(hungMetrics.render()) >= 3);
            assertThat(asked.get()).as("one question hangs; the refresher waits on it, it does not ask again")
                    .isEqualTo(2);
            String text = assertTimeoutPreemptively(Duration.ofSeconds(1), hungMetrics::render);
            assertThat(text).contains("relay_upstream_hosts{status=\"active\"} 0\n")
                    .containsPattern("relay_upstream_hosts_age_seconds [0-9.E-]+\n");

            // the answer arrives: the gauges show it, the age drops
            hang.countDown();
            await().atMost(Duration.ofSeconds(5)).until(() -> hanging.count(HostStatus.ACTIVE) == 1);
            assertThat(hanging.ageSeconds()).isLessThan(1);
        } finally {
            hang.countDown();
            hanging.close();
        }
        assertThat(assertTimeoutPreemptively(Duration.ofSeconds(1), metrics::render))
                .contains("relay_upstream_hosts{status=\"banned\"} 1\n");
    }

    @Test
    void aScrapeDuringAHangReturnsTheLastAnswerAtOnce() throws Exception {
        var storage = twoHosts();
        var hang = new CountDownLatch(1);
        var block = new AtomicBoolean();
        var asked = new AtomicInteger();
        // answers once, then every question blocks on the latch
        var store = (HostStore) java.lang.reflect.Proxy.newProxyInstance(HostStore.class.getClassLoader(),
                new Class<?>[] {HostStore.class}, (proxy, method, args) -> {
                    if (method.getName().equals("countByStatus")) {
                        asked.incrementAndGet();
                        if (block.get()) hang.await();
                    }
                    return method.invoke(storage.hosts(), args);
                });
        var gauges = new HostCountGauges(store, System::nanoTime);
        var metrics = new MetricRegistry();
        gauges.register(metrics);
        try {
            gauges.start(Duration.ofMillis(10), Duration.ofMillis(50));
            await().atMost(Duration.ofSeconds(5)).until(() -> gauges.count(HostStatus.ACTIVE) == 1);
            block.set(true);
            int before = asked.get();
            await().atMost(Duration.ofSeconds(5)).until(() -> asked.get() > before);
            String text = assertTimeoutPreemptively(Duration.ofSeconds(1), metrics::render);
            assertThat(text).contains("relay_upstream_hosts{status=\"active\"} 1\n")
                    .contains("relay_upstream_hosts{status=\"banned\"} 1\n");
        } finally {
            hang.countDown();
            gauges.close();
        }
    }

    private static long failures(String text) {
        var m = java.util.regex.Pattern.compile("relay_upstream_hosts_refresh_failures_total ([0-9]+)\n").matcher(text);
        return m.find() ? Long.parseLong(m.group(1)) : -1;
    }

    @Test
    void everyStatusIsASeries() {
        var metrics = new MetricRegistry();
        try (var storage = new InMemoryStorage()) {
            storage.registerMetrics(metrics);
            var text = metrics.render();
            for (var s : HostStatus.values()) {
                assertThat(text).contains("relay_upstream_hosts{status=\"" + s.value() + "\"} 0\n");
            }
            assertThat(text).contains("relay_database_up 1\n").contains("relay_upstream_hosts_age_seconds ");
        }
    }
}
