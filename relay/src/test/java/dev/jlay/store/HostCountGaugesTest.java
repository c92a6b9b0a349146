package dev.jlay.store;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jlay.metrics.MetricRegistry;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** relay_upstream_hosts{status}: one database question per few seconds, and the last answer while it is down. */
class HostCountGaugesTest {

    @Test
    void countsAreCachedBrieflyAndSurviveAnOutage() {
        var storage = new InMemoryStorage();
        storage.hosts().register("a.example", StorageContract.LIMITS, false);
        storage.hosts().register("b.example", StorageContract.LIMITS, false);
        storage.hosts().setStatus("b.example", HostStatus.BANNED);
        var asked = new AtomicInteger();
        var down = new AtomicBoolean();
        var hosts = (HostStore) java.lang.reflect.Proxy.newProxyInstance(HostStore.class.getClassLoader(),
                new Class<?>[] {HostStore.class}, (proxy, method, args) -> {
                    if (method.getName().equals("countByStatus")) {
                        asked.incrementAndGet();
                        if (down.get()) throw new StoreException("database unavailable");
                    }
                    return method.invoke(storage.hosts(), args);
                });
        var now = new AtomicLong();
        var gauges = new HostCountGauges(hosts, now::get);

        assertThat(gauges.count(HostStatus.ACTIVE)).isEqualTo(1);
        assertThat(gauges.count(HostStatus.BANNED)).isEqualTo(1);
        assertThat(gauges.count(HostStatus.OFFLINE)).isZero();
        assertThat(asked).as("one question for the whole scrape").hasValue(1);

        storage.hosts().register("c.example", StorageContract.LIMITS, false);
        assertThat(gauges.count(HostStatus.ACTIVE)).as("still cached").isEqualTo(1);
        now.addAndGet(TimeUnit.SECONDS.toNanos(6));
        assertThat(gauges.count(HostStatus.ACTIVE)).isEqualTo(2);
        assertThat(asked).hasValue(2);

        down.set(true);
        now.addAndGet(TimeUnit.SECONDS.toNanos(6));
        assertThat(gauges.count(HostStatus.ACTIVE)).as("the last answer while the database is down").isEqualTo(2);
        assertThat(asked).hasValue(3);
    }

    @Test
    void everyStatusIsASeries() {
        var metrics = new MetricRegistry();
        new InMemoryStorage().registerMetrics(metrics);
        var text = metrics.render();
        for (var s : HostStatus.values()) {
            assertThat(text).contains("relay_upstream_hosts{status=\"" + s.value() + "\"} 0\n");
        }
        assertThat(text).contains("relay_database_up 1\n");
    }
}
