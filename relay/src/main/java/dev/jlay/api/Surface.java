package dev.jlay.api;


import dev.jlay.memory.MemoryReport;
import dev.jlay.metrics.MetricRegistry;
import java.util.function.Supplier;
import dev.jlay.collections.CollectionIndex;
import dev.jlay.config.ConfigKeys;
import dev.jlay.config.RelayConfig;
import dev.jlay.downstream.ConsumerRegistry;
import dev.jlay.downstream.TakenDownRepos;
import dev.jlay.eventlog.EventLogService;
import dev.jlay.jetstream.JetstreamService;
import dev.jlay.store.HostLimits;
import dev.jlay.store.Storage;
import dev.jlay.upstream.CrawlAdmission;
import dev.jlay.upstream.CrawlRefusedException;
import dev.jlay.upstream.HostConnectionManager;
import dev.jlay.upstream.HostDiscovery;
import dev.jlay.upstream.HostService;
import dev.jlay.upstream.HostConnectionStatus;
import io.helidon.http.Status;
import java.util.ArrayList;
import java.util.List;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;

/**
 * The handlers of the relay's HTTP surface besides the firehose and the memory admin: /_health,
 * the status page, the com.atproto.sync read endpoints and requestCrawl, and the admin API,
 * wired to the relay's components. {@code dev.jlay.Relay} builds one; {@link Routes} says which path
 * each handler serves.
 */
public final class Surface {
    private final Health health;
    private final StatusPage statusPage;
    private final SyncRepos repos;
    private final SyncHosts syncHosts;
    private final SyncCollections collections;
    private final AdminApi admin;
    private final HostDiscovery discovery;
    private final StatusHistory history;

    private Surface(Health health, StatusPage statusPage, SyncRepos repos, SyncHosts syncHosts,
                    SyncCollections collections, AdminApi admin, HostDiscovery discovery, StatusHistory history) {
        this.history = history;
        this.health = health;
        this.statusPage = statusPage;
        this.repos = repos;
        this.syncHosts = syncHosts;
        this.collections = collections;
        this.admin = admin;
        this.discovery = discovery;
    }

    public static Surface create(RelayConfig config, String adminToken, Storage storage, EventLogService events,
                                 HostService hosts, ConsumerRegistry consumers, TakenDownRepos takedowns,
                                 CollectionIndex index, Supplier<MemoryReport> memory, MetricRegistry metrics,
                                 Supplier<List<JetstreamService.ConnectionView>> jetstream) {
        // the status page's last hour, and the marginal costs recomputed with each of its samples
        var history = new StatusHistory(Duration.ofHours(1), Duration.ofSeconds(10), events.log()::lastSeq, memory);
        metrics.register(history);
        var costs = new MarginalCosts(metrics, () -> hosts.connections().size(), consumers::size);
        history.onSample(costs::update);
        boolean insecure = config.allowInsecureHosts();
        var admission = CrawlAdmission.create(
                new CrawlAdmission.Settings(insecure, config.getInt(ConfigKeys.CRAWL_NEW_HOSTS_PER_DAY)),
                storage.bans(), storage.hosts(), Duration.ofMillis(config.getInt(ConfigKeys.CRAWL_TIMEOUT_MS)),
                hostname -> {
                    try {
                        hosts.crawl(hostname);
                    } catch (HostConnectionManager.TooManyHostsException e) {
                        throw new CrawlRefusedException.AtCapacity(hostname, e.getMessage());
                    } catch (IllegalArgumentException e) {
                        throw new CrawlRefusedException.InvalidHostname(hostname, e.getMessage());
                    }
                });
        return new Surface(
                new Health(storage::health, events.sequencer()::stall, () -> flow(hosts, events),
                        Duration.ofSeconds(config.getInt(ConfigKeys.HEALTH_STALE_AFTER_SECONDS)), Clock.systemUTC()),
                new StatusPage(storage, events.log()::lastSeq, consumers::list, memory,
                        hosts.connections()::statuses, history.start(), jetstream),
                new SyncRepos(storage, insecure),
                new SyncHosts(storage.hosts(), admission),
                new SyncCollections(index),
                new AdminApi(adminToken, storage, control(hosts), events.sequencer()::append, takedowns, consumers::list,
                        Clock.systemUTC()),
                new HostDiscovery(HostDiscovery.Settings.of(config.get(ConfigKeys.UPSTREAM_DISCOVERY_RELAYS),
                        Duration.ofMinutes(config.getInt(ConfigKeys.UPSTREAM_DISCOVERY_INTERVAL_MINUTES)), insecure),
                        storage.hosts(), admission::admit),
                history);
    }

    /** The status page's sampler (started): the relay closes it. */
    public StatusHistory history() {
        return history;
    }

    /**
     * Periodic listHosts discovery through the same admission as requestCrawl; not started (the
     * relay starts it, and it does nothing when {@code upstream.discovery-relays} is empty).
     */
    public HostDiscovery discovery() {
        return discovery;
    }

    /** Connected hosts and the newest persisted event, for /_health's freshness condition. */
    static Health.Flow flow(HostService hosts, EventLogService events) {
        int connected = 0;
        java.time.Instant since = null;
        for (var s : hosts.connections().statuses()) {
            if (s.state() == HostConnectionStatus.State.CONNECTED && s.connectedSince() != null) {
                connected++;
                if (since == null || s.connectedSince().isBefore(since)) {
                    since = s.connectedSince();
                }
            }
        }
        var log = events.log();
        var last = log.isEmpty() ? null
                : log.get(log.lastSeq()).map(e -> java.time.Instant.ofEpochMilli(e.timeMillis())).orElse(null);
        return new Health.Flow(connected, since, last);
    }

    /** The admin API's view of the host service; its checked failures become XRPC errors. */
    private static AdminHosts.Control control(HostService hosts) {
        return new AdminHosts.Control() {
            @Override
            public void crawl(String hostname) {
                try {
                    hosts.crawl(hostname);
                } catch (HostConnectionManager.TooManyHostsException e) {
                    throw atCapacity(e);
                } catch (IllegalArgumentException e) {
                    throw XrpcException.invalidRequest(e.getMessage());
                }
            }

            @Override
            public void block(String hostname) {
                hosts.block(hostname);
            }

            @Override
            public void unblock(String hostname) {
                try {
                    hosts.unblock(hostname);
                } catch (HostConnectionManager.TooManyHostsException e) {
                    throw atCapacity(e);
                }
            }

            @Override
            public void setLimits(String hostname, HostLimits limits) {
                hosts.setLimits(hostname, limits);
            }

            @Override
            public Optional<HostConnectionStatus> status(String hostname) {
                return hosts.connection(hostname);
            }
        };
    }

    private static XrpcException atCapacity(Exception e) {
        return new XrpcException(Status.SERVICE_UNAVAILABLE_503, "ServiceUnavailable", e.getMessage());
    }

    /** The handler objects {@link Routes} binds: health, status page, the sync endpoints and the admin API. */
    public List<Object> handlers() {
        var all = new ArrayList<Object>(List.of(health, statusPage, repos, syncHosts, collections));
        all.addAll(admin.handlers());
        return all;
    }
}
