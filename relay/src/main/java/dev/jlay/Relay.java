package dev.jlay;

import dev.jlay.api.AccountEvents;
import dev.jlay.api.AdminToken;
import dev.jlay.api.MemoryMonitoring;
import dev.jlay.api.MetricsEndpoint;
import dev.jlay.api.Routes;
import dev.jlay.api.AdminJetstream;
import dev.jlay.api.JetstreamEdge;
import dev.jlay.api.SubscribeReposEdge;
import dev.jlay.api.RefusedRequests;
import dev.jlay.api.Surface;
import dev.jlay.atproto.stream.SequencedMessage;
import dev.jlay.atproto.stream.SeqStamp;
import dev.jlay.collections.CollectionIndex;
import dev.jlay.config.ConfigKeys;
import dev.jlay.config.RelayConfig;
import dev.jlay.downstream.SubscribeRepos;
import dev.jlay.jetstream.JetstreamService;
import dev.jlay.downstream.TakenDownRepos;
import dev.jlay.eventlog.EventLogService;
import dev.jlay.eventlog.SeqStamper;
import dev.jlay.metrics.MetricRegistry;
import dev.jlay.identity.DidResolver;
import dev.jlay.identity.IdentityResolver;
import dev.jlay.identity.ResolverConfig;
import dev.jlay.kafka.KafkaPublisher;
import dev.jlay.kafka.KafkaSettings;
import dev.jlay.pipeline.FrameWorkerPool;
import dev.jlay.pipeline.ParkingLot;
import dev.jlay.pipeline.Pipeline;
import dev.jlay.pipeline.ResolverIdentities;
import dev.jlay.atproto.crypto.Curve;
import dev.jlay.crypto.CurveVerifiers;
import dev.jlay.crypto.Secp256k1Library;
import dev.jlay.pipeline.CrashRecovery;
import dev.jlay.pipeline.InboundFrame;
import dev.jlay.pipeline.RecoveryCheckpoint;
import dev.jlay.pipeline.StoreChainState;
import dev.jlay.store.Account;
import dev.jlay.store.Database;
import dev.jlay.store.LocalStatus;
import dev.jlay.store.HostLimits;
import dev.jlay.store.Storage;
import dev.jlay.store.StoreOptions;
import dev.jlay.net.AddressGuard;
import dev.jlay.upstream.BackoffPolicy;
import dev.jlay.upstream.ConnectionConfig;
import dev.jlay.upstream.HostCursors;
import dev.jlay.upstream.HostService;
import dev.jlay.upstream.UpstreamMeters;
import dev.jlay.validate.DropReason;
import dev.jlay.validate.ValidationConfig;
import dev.jlay.validate.Verdict;
import java.time.Clock;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Deque;
import java.util.concurrent.TimeUnit;
import java.util.ArrayList;
import java.util.List;

/**
 * The composition root: every long-lived component, built from config with
 * plain constructors, in dependency order. To add a component: build it in
 * {@link #create}, keep it in a field, give its handler object to {@link #handlers}
 * (its paths go in {@link Routes}), and close it in {@link #close} (reverse
 * order). No container, no reflection.
 */
public final class Relay implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(Relay.class.getName());

    private final RelayConfig config;
    private final MetricRegistry metrics;
    private final Storage storage;
    private final EventLogService events;
    private final IdentityResolver identities;
    private final Pipeline pipeline;
    private final HostService hosts;
    private final SubscribeRepos subscribeRepos;
    private final JetstreamService jetstream;
    private final MemoryMonitoring memory;
    private final Surface surface;
    private final RefusedRequests refused;
    private final Deque<AutoCloseable> closeOrder;
    /** How often the database is checkpointed against the log (how much a crash makes recovery replay). */
    private static final long CHECKPOINT_MILLIS = 2_000;

    private Relay(RelayConfig config, MetricRegistry metrics, Storage storage, EventLogService events,
                  IdentityResolver identities, Pipeline pipeline, HostService hosts, SubscribeRepos subscribeRepos,
                  JetstreamService jetstream, MemoryMonitoring memory, Surface surface,
                  Deque<AutoCloseable> closeOrder) {
        this.config = config;
        this.metrics = metrics;
        this.storage = storage;
        this.events = events;
        this.identities = identities;
        this.pipeline = pipeline;
        this.hosts = hosts;
        this.subscribeRepos = subscribeRepos;
        this.jetstream = jetstream;
        this.memory = memory;
        this.surface = surface;
        this.refused = new RefusedRequests(metrics);
        this.closeOrder = closeOrder;
    }

    /**
     * Opens everything the config describes: the database (PostgreSQL at {@code database.url}, or an
     * embedded one under the data dir when empty), the event log on disk, the identity resolver, the
     * pipeline and the upstream hosts' manager. Nothing listens and no host is read yet: see
     * {@link #startUpstream()} (which {@link RelayServer#start} calls once the sockets are open).
     */
    public static Relay create(RelayConfig config) {
        return create(config, SeqStamp::withSeq);
    }

    /** As {@link #create(RelayConfig)}, with another seq stamper (tests with synthetic frames). */
    public static Relay create(RelayConfig config, SeqStamper stamper) {
        var opened = new ArrayDeque<AutoCloseable>(); // pushed in build order, closed from the top
        try {
            var metrics = new MetricRegistry(config.getBool(ConfigKeys.MEMORY_STAGE_METERS));
            boolean insecure = config.allowInsecureHosts();

            Storage storage = openStorage(config);
            opened.push(storage);
            storage.registerMetrics(metrics);

            var events = new EventLogService(EventLogService.Settings.from(config), stamper, metrics,
                    System::currentTimeMillis);
            opened.push(events);
            // fed by the pipeline, so built before it and closed after it
            var collections = CollectionIndex.open(config.dataDir().resolve("collections"), 16L << 20, metrics);
            opened.push(collections);

            var resolverConfig = ResolverConfig.defaults(config.plcUrl()).withAllowInsecureHosts(insecure);
            var documents = new DidResolver(resolverConfig, new AddressGuard(insecure));
            opened.push(documents);
            documents.registerMetrics(metrics);
            var identities = new IdentityResolver(resolverConfig, documents);
            opened.push(identities);
            identities.registerMetrics(metrics);

            var poolConfig = poolConfig(config);
            long pipelineBound = (long) poolConfig.workers() * poolConfig.queueCapacity()
                    + poolConfig.parking().maxFrames() + config.getInt(ConfigKeys.SEQUENCER_QUEUE);
            var cursors = new HostCursors(storage.hosts()::updateCursor, pipelineBound);
            metrics.register(cursors.recoveredBuffer());
            metrics.counter("relay_upstream_frames_skipped_total",
                    "Host frames not read again because they were already durable (after a crash).",
                    "reason", "already_durable", cursors::skippedDurable);
            // before any host is read: the database catches up with the log, the cursors learn what is in it
            long inFlightMillis = TimeUnit.NANOSECONDS.toMillis(poolConfig.parking().maxAgeNanos()) + 60_000;
            CrashRecovery.run(events.log(), storage, cursors, inFlightMillis);
            opened.push(new RecoveryCheckpoint(events.sequencer(), storage, CHECKPOINT_MILLIS, cursors::recoveredPassed));

            var bound = new ResolverIdentities(identities);
            var signatures = config.getBool(ConfigKeys.VALIDATION_NATIVE_SECP256K1) ? CurveVerifiers.choose()
                    : CurveVerifiers.choose(new Secp256k1Library.Loading.Missing("validation.native-secp256k1 is false"));
            LOG.log(System.Logger.Level.INFO, signatures.summary());
            registerSignatureVerifier(metrics, signatures);
            var validation = ValidationConfig.strict().withLenient(config.getBool(ConfigKeys.VALIDATION_LENIENT))
                    .withSignatures(signatures);
            // the account limit's own status changes go on the firehose as the relay's #account
            var admissions = new AccountEvents(events.sequencer()::append, Clock.systemUTC());
            var chain = new StoreChainState(storage.repoState(), storage.accounts(),
                    config.getInt(ConfigKeys.SEQUENCER_QUEUE) + pipelineBound, admissions::announce);
            metrics.register(chain);
            var toSequencer = Pipeline.toSequencer(events.sequencer(), new Pipeline.Settled() {
                @Override
                public void durable(InboundFrame f, SequencedMessage m) {
                    chain.durable(m);
                    cursors.completed(f.host(), f.upstreamSeq());
                }

                @Override
                public void failed(InboundFrame f, SequencedMessage m) {
                    chain.failed(m);
                }
            });
            Pipeline.Output output = (f, m, v, emptied) -> {
                toSequencer.accept(f, m, v, emptied);
                // on the worker, right after validate: what its inversion proved needs no second CAR read
                collections.accept(m, emptied);
            };
            var pipeline = Pipeline.create(new Pipeline.Settings(poolConfig, validation),
                    chain, bound, bound, output,
                    metrics, Clock.systemUTC(), (f, v) -> {
                        // a frame dropped for good lets the cursor pass; one cut off by shutdown does not
                        if (v instanceof Verdict.Drop d && d.reason() != DropReason.SHUTDOWN) {
                            cursors.completed(f.host(), f.upstreamSeq());
                        }
                    });
            opened.push(pipeline);

            var hosts = new HostService(hostSettings(config), storage.hosts(), cursors, pipeline,
                    new AddressGuard(insecure), UpstreamMeters.register(metrics));
            opened.push(hosts);
            hosts.registerMetrics(metrics);

            var takedowns = TakenDownRepos.load(config.getInt(ConfigKeys.DOWNSTREAM_TAKEDOWN_CAPACITY),
                    (after, limit) -> storage.accounts().listByLocalStatus(LocalStatus.TAKENDOWN, after, limit)
                            .stream().map(Account::did).toList());
            metrics.register(takedowns);
            var subscribeRepos = new SubscribeRepos(events.ring(), events.log(), takedowns, new SubscribeRepos.Settings(
                    config.getInt(ConfigKeys.DOWNSTREAM_MAX_CONSUMERS),
                    config.getInt(ConfigKeys.DOWNSTREAM_WRITE_TIMEOUT_MS),
                    config.getInt(ConfigKeys.DOWNSTREAM_TOO_SLOW_GRACE_MS),
                    config.getInt(ConfigKeys.DOWNSTREAM_PING_MS),
                    512, 8L << 20), metrics);
            opened.push(subscribeRepos);
            var jetstream = new JetstreamService(events.ring(), events.log(), takedowns, new JetstreamService.Settings(
                    config.getInt(ConfigKeys.JETSTREAM_MAX_CONNECTIONS),
                    config.getInt(ConfigKeys.JETSTREAM_WRITE_TIMEOUT_MS),
                    config.getInt(ConfigKeys.DOWNSTREAM_PING_MS),
                    config.getInt(ConfigKeys.JETSTREAM_CACHE_EVENTS),
                    config.getBytes(ConfigKeys.JETSTREAM_CACHE_BYTES),
                    512, 8L << 20), metrics);
            opened.push(jetstream);
            // after the event log (it reads the ring and the log), closed before it
            var kafka = kafkaSettings(config);
            if (kafka.enabled()) {
                opened.push(new KafkaPublisher(kafka, events.ring(), events.log(), metrics).start());
            } else {
                KafkaPublisher.registerOff(metrics, kafka.inFlightBytes());
            }
            var adminToken = AdminToken.resolve(config, System.out);
            var memory = MemoryMonitoring.start(config, metrics, events.log(), collections);
            opened.push(memory);
            var surface = Surface.create(config, adminToken, storage, events, hosts, subscribeRepos.consumers(),
                    takedowns, collections, memory.metrics()::latest, metrics, jetstream::list);
            opened.push(surface.history());
            opened.push(surface.discovery()); // listHosts discovery: started with the hosts (startUpstream)
            return new Relay(config, metrics, storage, events, identities, pipeline, hosts, subscribeRepos, jetstream,
                    memory, surface, opened);
        } catch (RuntimeException | Error e) {
            closeAll(opened);
            throw e;
        }
    }

    /** PostgreSQL from {@code database.url}; without one, an embedded server under the data dir. */
    static Storage openStorage(RelayConfig config) {
        var options = storeOptions(config);
        return config.databaseUrl().isPresent()
                ? Database.openWaiting(config.databaseUrl().get(), options, java.time.Duration.ofSeconds(30))
                : openEmbedded(config, options);
    }

    static StoreOptions storeOptions(RelayConfig config) {
        return StoreOptions.defaults().withTimeouts(
                java.time.Duration.ofMillis(config.getInt(ConfigKeys.DATABASE_CONNECTION_TIMEOUT_MS)),
                java.time.Duration.ofMillis(config.getInt(ConfigKeys.DATABASE_STATEMENT_TIMEOUT_MS)),
                java.time.Duration.ofMillis(config.getInt(ConfigKeys.DATABASE_SOCKET_TIMEOUT_MS)));
    }

    private static Storage openEmbedded(RelayConfig config, StoreOptions options) {
        LOG.log(System.Logger.Level.INFO, "database.url is empty: starting an embedded PostgreSQL under {0}",
                config.dataDir().resolve("postgres").toAbsolutePath());
        return Database.openEmbedded(config.dataDir(), options);
    }

    static KafkaSettings kafkaSettings(RelayConfig config) {
        return new KafkaSettings(config.get(ConfigKeys.KAFKA_BOOTSTRAP_SERVERS), config.get(ConfigKeys.KAFKA_TOPIC),
                config.getBytes(ConfigKeys.KAFKA_IN_FLIGHT_BYTES),
                (short) config.getInt(ConfigKeys.KAFKA_REPLICATION_FACTOR));
    }

    static FrameWorkerPool.Config poolConfig(RelayConfig config) {
        int workers = config.getInt(ConfigKeys.PIPELINE_WORKERS);
        if (workers <= 0) workers = Runtime.getRuntime().availableProcessors();
        return new FrameWorkerPool.Config(workers, config.getInt(ConfigKeys.PIPELINE_QUEUE),
                config.getBytes(ConfigKeys.PIPELINE_QUEUE_BYTES), new ParkingLot.Limits(config.getInt(ConfigKeys.PIPELINE_PARKING_FRAMES),
                        config.getBytes(ConfigKeys.PIPELINE_PARKING_BYTES), 2_000, TimeUnit.SECONDS.toNanos(60)));
    }

    static HostService.Settings hostSettings(RelayConfig config) {
        var connection = ConnectionConfig.defaults()
                .withAllowInsecureHosts(config.allowInsecureHosts())
                .withMaxHosts(config.getInt(ConfigKeys.UPSTREAM_MAX_HOSTS))
                .withReassemblyBytes(config.getBytes(ConfigKeys.UPSTREAM_REASSEMBLY_BYTES));
        var limits = new HostLimits(config.getLong(ConfigKeys.UPSTREAM_ACCOUNT_LIMIT),
                config.getLong(ConfigKeys.UPSTREAM_EVENTS_PER_SECOND),
                config.getLong(ConfigKeys.UPSTREAM_EVENTS_PER_HOUR),
                config.getLong(ConfigKeys.UPSTREAM_EVENTS_PER_DAY));
        var configured = Arrays.stream(config.get(ConfigKeys.UPSTREAM_HOSTS).split(","))
                .map(String::strip).filter(h -> !h.isEmpty()).toList();
        return new HostService.Settings(connection, limits, configured);
    }

    /**
     * Starts reading every known host and the configured ones, and listHosts discovery (its first
     * round at once, when discovery relays are configured). Idempotent.
     */
    public void startUpstream() {
        int n = hosts.startAll();
        LOG.log(System.Logger.Level.INFO, "upstream: reading {0} hosts", n);
        surface.discovery().start();
    }

    public RelayConfig config() {
        return config;
    }

    public MetricRegistry metrics() {
        return metrics;
    }

    public EventLogService events() {
        return events;
    }

    public Storage storage() {
        return storage;
    }

    public IdentityResolver identities() {
        return identities;
    }

    public Pipeline pipeline() {
        return pipeline;
    }

    public HostService hosts() {
        return hosts;
    }

    public SubscribeRepos subscribeRepos() {
        return subscribeRepos;
    }

    public JetstreamService jetstream() {
        return jetstream;
    }

    /** Every handler object the route table ({@link Routes}) binds, on both sockets. */
    public List<Object> handlers() {
        var all = new ArrayList<Object>(surface.handlers());
        all.add(subscribeRepos);
        all.add(new SubscribeReposEdge(subscribeRepos));
        all.add(jetstream);
        all.add(new JetstreamEdge(jetstream));
        all.add(new AdminJetstream(jetstream));
        all.add(memory.admin());
        all.add(new MetricsEndpoint(metrics));
        all.add(refused);
        return all;
    }

    /** The API's refusals, counted and logged at a bounded rate (also those refused before routing). */
    public RefusedRequests refusedRequests() {
        return refused;
    }

    /**
     * Reverse build order: memory monitoring, consumers, host readers (no new frames), the pipeline
     * (workers finish their queues), identity, the event log (sequencer flushed: durable callbacks
     * advance host cursors), then the database (queued cursors and repo state written).
     */
    @Override
    public void close() {
        closeAll(closeOrder);
    }

    private static void closeAll(Deque<AutoCloseable> opened) {
        while (!opened.isEmpty()) {
            var c = opened.pop();
            try {
                c.close();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (Exception e) {
                LOG.log(System.Logger.Level.WARNING, "closing " + c.getClass().getSimpleName() + " failed", e);
            }
        }
    }

    /** Which implementation checks each curve's signatures, as an info gauge (always 1). */
    public static void registerSignatureVerifier(MetricRegistry metrics, CurveVerifiers signatures) {
        for (Curve curve : Curve.values()) {
            metrics.gauge("relay_signature_verifier_info",
                    "Which implementation verifies each curve's signatures, chosen at start (always 1).",
                    "curve", CurveVerifiers.metricLabel(curve), "implementation", signatures.implementation(curve),
                    () -> 1);
        }
    }
}
