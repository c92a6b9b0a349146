package dev.jlay.config;

import static dev.jlay.config.ConfigKey.Type.BOOL;
import static dev.jlay.config.ConfigKey.Type.BYTES;
import static dev.jlay.config.ConfigKey.Type.INT;
import static dev.jlay.config.ConfigKey.Type.LONG;
import static dev.jlay.config.ConfigKey.Type.STRING;
import static dev.jlay.config.ConfigKey.Type.URL;

import java.util.List;

/**
 * Every key the relay understands. To add one: add a constant here, add it to
 * {@link #ALL}, and an accessor to {@link RelayConfig}. Defaults serve one machine.
 */
public final class ConfigKeys {
    private ConfigKeys() {
    }

    public static final ConfigKey HOST = new ConfigKey("host", STRING, "0.0.0.0",
            "address the API and metrics sockets bind to");
    public static final ConfigKey PORT = new ConfigKey("port", ConfigKey.Type.PORT, "2470",
            "API port: XRPC, subscribeRepos, admin, health");
    public static final ConfigKey METRICS_PORT = new ConfigKey("metrics.port", ConfigKey.Type.PORT, "2471",
            "Prometheus /metrics port");
    public static final ConfigKey METRICS_HOST = new ConfigKey("metrics.host", STRING, "",
            "address the /metrics socket binds to; empty = the same as host (appliance: 127.0.0.1)");
    public static final ConfigKey HTTP_MAX_REQUEST_LINE_BYTES = new ConfigKey("http.max-request-line-bytes", BYTES,
            "512KiB", "longest request line (method, URL, version) the API socket reads; longer is refused with 414. "
                    + "Room for Jetstream's 10,000 wantedDids in the URL; each connection being parsed may hold "
                    + "this much (1KiB to 64MiB)");
    public static final ConfigKey ADMIN_TOKEN = new ConfigKey("admin.token", STRING, "",
            "bearer token of the admin API; generated, stored in the data dir and printed once when empty");
    public static final ConfigKey DATA_DIR = new ConfigKey("data.dir", STRING, "./data",
            "where the event log and other local state live");
    public static final ConfigKey DATABASE_URL = new ConfigKey("database.url", STRING, "",
            "PostgreSQL JDBC URL; empty = an embedded PostgreSQL under the data dir (demo, development)");
    public static final ConfigKey DATABASE_CONNECTION_TIMEOUT_MS = new ConfigKey(
            "database.pool.connection-timeout-ms", INT, "5000",
            "how long a database call waits for a pooled connection, and a new connection for its TCP connect");
    public static final ConfigKey DATABASE_STATEMENT_TIMEOUT_MS = new ConfigKey("database.statement-timeout-ms", INT,
            "30000", "PostgreSQL cancels a statement of the relay that runs longer (statement_timeout; not migrations)");
    public static final ConfigKey DATABASE_SOCKET_TIMEOUT_MS = new ConfigKey("database.socket-timeout-ms", INT,
            "60000", "a database connection silent this long is dropped as broken (ends calls on a half-open "
                    + "connection); must exceed the statement timeout");
    public static final ConfigKey PLC_URL = new ConfigKey("plc.url", URL, "https://plc.directory",
            "PLC directory for did:plc documents");
    public static final ConfigKey ALLOW_INSECURE_HOSTS = new ConfigKey("allow-insecure-hosts", BOOL, "false",
            "let hosts use ws:// and loopback/private addresses (tests, simulator only)");

    public static final ConfigKey EVENTLOG_RETENTION_HOURS = new ConfigKey("eventlog.retention-hours", INT, "72",
            "events older than this are deleted");
    public static final ConfigKey EVENTLOG_RETENTION_BYTES = new ConfigKey("eventlog.retention-bytes", BYTES, "50GiB",
            "the oldest events are deleted while the log is bigger than this");
    public static final ConfigKey EVENTLOG_RING_EVENTS = new ConfigKey("eventlog.ring-events", INT, "65536",
            "recent events kept in memory for consumers near the head (rounded up to a power of two)");
    public static final ConfigKey EVENTLOG_RING_BYTES = new ConfigKey("eventlog.ring-bytes", BYTES, "256MiB",
            "byte bound of the in-memory ring");
    public static final ConfigKey EVENTLOG_BLOCK_CACHE_BYTES = new ConfigKey("eventlog.block-cache-bytes", BYTES,
            "8MiB", "RocksDB block cache of the event log: index blocks of newly written SST files (native memory)");
    public static final ConfigKey EVENTLOG_START_SEQ = new ConfigKey("eventlog.start-seq", LONG, "1",
            "first seq of an empty log (set well above old values when resetting)");

    public static final ConfigKey SEQUENCER_QUEUE = new ConfigKey("sequencer.queue-capacity", INT, "8192",
            "validated frames waiting for a seq");
    public static final ConfigKey SEQUENCER_QUEUE_BYTES = new ConfigKey("sequencer.queue-bytes", BYTES, "64MiB",
            "byte bound of the frames waiting for a seq (one frame of any size passes when the queue is empty)");
    public static final ConfigKey SEQUENCER_BATCH_EVENTS = new ConfigKey("sequencer.batch-events", INT, "1024",
            "most events per group commit");
    public static final ConfigKey SEQUENCER_LINGER_MS = new ConfigKey("sequencer.linger-ms", INT, "2",
            "how long a group commit waits to fill up");

    public static final ConfigKey DOWNSTREAM_MAX_CONSUMERS = new ConfigKey("downstream.max-consumers", INT, "1024",
            "subscribeRepos connections accepted at once");
    public static final ConfigKey DOWNSTREAM_WRITE_TIMEOUT_MS = new ConfigKey("downstream.write-timeout-ms", INT,
            "30000", "a consumer whose socket write makes no progress this long is judged too slow (ConsumerTooSlow)");
    public static final ConfigKey DOWNSTREAM_TOO_SLOW_GRACE_MS = new ConfigKey("downstream.too-slow-grace-ms", INT,
            "5000", "how long a consumer judged too slow may take to get the ConsumerTooSlow error frame; then its socket is cut");
    public static final ConfigKey DOWNSTREAM_PING_MS = new ConfigKey("downstream.ping-ms", INT, "30000",
            "keepalive ping interval on consumer connections, sent whether or not events flow");
    public static final ConfigKey DOWNSTREAM_TAKEDOWN_CAPACITY = new ConfigKey("downstream.takedown-capacity", INT,
            "100000", "most taken-down accounts whose events replay hides (a takedown beyond it is refused)");

    public static final ConfigKey JETSTREAM_MAX_CONNECTIONS = new ConfigKey("jetstream.max-connections", INT, "1024",
            "/subscribe (Jetstream JSON) connections accepted at once");
    public static final ConfigKey JETSTREAM_WRITE_TIMEOUT_MS = new ConfigKey("jetstream.write-timeout-ms", INT,
            "30000", "a /subscribe connection whose socket write makes no progress this long is cut");
    public static final ConfigKey JETSTREAM_CACHE_EVENTS = new ConfigKey("jetstream.cache-events", INT, "16384",
            "log events near the head kept translated to Jetstream JSON, shared by every /subscribe connection");
    public static final ConfigKey JETSTREAM_CACHE_BYTES = new ConfigKey("jetstream.cache-bytes", BYTES, "64MiB",
            "byte bound of those translations (JSON and zstd frames)");

    public static final ConfigKey UPSTREAM_HOSTS = new ConfigKey("upstream.hosts", STRING, "",
            "comma-separated hosts (host[:port]) read from the start, trusted (no rate limit); more come by requestCrawl");
    public static final ConfigKey UPSTREAM_MAX_HOSTS = new ConfigKey("upstream.max-hosts", INT, "10000",
            "upstream hosts read at once");
    public static final ConfigKey UPSTREAM_REASSEMBLY_BYTES = new ConfigKey("upstream.reassembly-bytes", BYTES,
            "256MiB", "all host readers' partial (fragmented) messages together; a reader that would pass it "
                    + "closes its connection and reads the message again after a backoff");
    public static final ConfigKey UPSTREAM_EVENTS_PER_SECOND = new ConfigKey("upstream.rate-per-second", LONG, "50",
            "default event rate limit of a new host per sliding second (0 = none)");
    public static final ConfigKey UPSTREAM_EVENTS_PER_HOUR = new ConfigKey("upstream.rate-per-hour", LONG, "150000",
            "default event rate limit of a new host per sliding hour (0 = none)");
    public static final ConfigKey UPSTREAM_EVENTS_PER_DAY = new ConfigKey("upstream.rate-per-day", LONG, "3000000",
            "default event rate limit of a new host per sliding day (0 = none)");
    public static final ConfigKey UPSTREAM_ACCOUNT_LIMIT = new ConfigKey("upstream.account-limit", LONG, "1000",
            "default number of accounts a new host may have before further ones are throttled");

    public static final ConfigKey UPSTREAM_DISCOVERY_RELAYS = new ConfigKey("upstream.discovery-relays", STRING, "",
            "comma-separated relays whose listHosts is read every interval; new hosts go through requestCrawl's "
                    + "admission (empty = no discovery)");
    public static final ConfigKey UPSTREAM_DISCOVERY_INTERVAL_MINUTES = new ConfigKey(
            "upstream.discovery-interval-minutes", INT, "60",
            "minutes between listHosts discovery rounds (the first runs when the relay starts)");

    public static final ConfigKey PIPELINE_WORKERS = new ConfigKey("workers.count", INT, "0",
            "frame worker threads (0 = one per core)");
    public static final ConfigKey PIPELINE_QUEUE = new ConfigKey("workers.queue-capacity", INT, "1024",
            "frames waiting per worker before the hosts' readers wait (backpressure)");
    public static final ConfigKey PIPELINE_QUEUE_BYTES = new ConfigKey("workers.queue-bytes", BYTES, "256MiB",
            "byte bound of the frames waiting over all workers, split evenly between them (an empty queue takes "
                    + "one frame of any size)");
    public static final ConfigKey PIPELINE_PARKING_FRAMES = new ConfigKey("parking.max-frames", INT, "50000",
            "frames waiting for their DID's identity, over all workers; beyond, they are dropped (never passed)");
    public static final ConfigKey PIPELINE_PARKING_BYTES = new ConfigKey("parking.max-bytes", BYTES, "256MiB",
            "byte bound of the frames waiting for identities");
    public static final ConfigKey VALIDATION_LENIENT = new ConfigKey("validation.lenient", BOOL, "false",
            "pass commits whose MST inversion or rev checks fail (counted); signatures are always checked");
    public static final ConfigKey VALIDATION_NATIVE_SECP256K1 = new ConfigKey("validation.native-secp256k1", BOOL,
            "true", "verify secp256k1 signatures with libsecp256k1 where it is installed (BouncyCastle where it is "
            + "not); false: BouncyCastle always");

    public static final ConfigKey MEMORY_JFR = new ConfigKey("memory.jfr", BOOL, "true",
            "the in-process JFR stream and rolling recording (GC, allocation by stage, /admin/jfr); false only to "
            + "measure their overhead");
    public static final ConfigKey MEMORY_STAGE_METERS = new ConfigKey("memory.stage-meters", BOOL, "true",
            "per-stage events, time and allocated bytes (relay_stage_*); false only to measure their overhead");
    public static final ConfigKey MEMORY_TRIM_INTERVAL_SECONDS = new ConfigKey("memory.trim-interval-seconds", INT, "60",
            "how often malloc_trim hands glibc's free-but-resident pages back to the OS (0: never)");

    public static final ConfigKey CRAWL_NEW_HOSTS_PER_DAY = new ConfigKey("crawl.new-hosts-per-day", INT, "50",
            "hosts requestCrawl admits per sliding 24 hours (known hosts may ask again any time)");
    public static final ConfigKey CRAWL_TIMEOUT_MS = new ConfigKey("crawl.timeout-ms", INT, "5000",
            "how long requestCrawl waits for the host's describeServer answer");

    public static final ConfigKey HEALTH_STALE_AFTER_SECONDS = new ConfigKey("health.stale-after-seconds", INT,
            "300", "/_health is 503 when hosts are connected but no event was persisted for this long (0 = off)");

    public static final ConfigKey ROLE = new ConfigKey("role", STRING, "primary",
            "primary: verify hosts and sequence (the whole relay); edge: serve consumers from the Kafka topic only "
                    + "(no upstream, no validation, no PostgreSQL)");
    public static final ConfigKey KAFKA_BOOTSTRAP_SERVERS = new ConfigKey("kafka.bootstrap-servers", STRING, "",
            "Kafka brokers (host:port,...): the primary publishes every durable event to kafka.topic, an edge reads "
                    + "it; empty = no Kafka");
    public static final ConfigKey KAFKA_TOPIC = new ConfigKey("kafka.topic", STRING, "atproto-firehose",
            "the one-partition topic of the relay's events (made with that one partition if missing)");
    public static final ConfigKey KAFKA_IN_FLIGHT_BYTES = new ConfigKey("kafka.in-flight-bytes", BYTES, "64MiB",
            "frame bytes handed to the Kafka producer and not yet acknowledged (buffer kafka_publish_in_flight)");
    public static final ConfigKey KAFKA_REPLICATION_FACTOR = new ConfigKey("kafka.replication-factor", INT, "1",
            "replicas of the topic when the primary creates it (3 on a three-broker cluster)");
    public static final ConfigKey EDGE_PRIMARY_URL = new ConfigKey("edge.primary-url", STRING, "",
            "role edge: the primary's base URL (http://host:port); the read-only sync endpoints and requestCrawl go there");
    public static final ConfigKey EDGE_FUTURE_CURSOR_WAIT_MS = new ConfigKey("edge.future-cursor-wait-ms", INT, "10000",
            "role edge: how long a consumer's cursor past the edge's head waits for the topic to reach it before "
                    + "FutureCursor (a consumer moving from another edge may be a little ahead)");

    public static final List<ConfigKey> ALL = List.of(HOST, PORT, METRICS_PORT, METRICS_HOST,
            HTTP_MAX_REQUEST_LINE_BYTES, ADMIN_TOKEN, DATA_DIR,
            DATABASE_URL, DATABASE_CONNECTION_TIMEOUT_MS, DATABASE_STATEMENT_TIMEOUT_MS, DATABASE_SOCKET_TIMEOUT_MS,
            PLC_URL, ALLOW_INSECURE_HOSTS, EVENTLOG_RETENTION_HOURS, EVENTLOG_RETENTION_BYTES,
            EVENTLOG_RING_EVENTS, EVENTLOG_RING_BYTES, EVENTLOG_BLOCK_CACHE_BYTES, EVENTLOG_START_SEQ, SEQUENCER_QUEUE,
            SEQUENCER_QUEUE_BYTES, SEQUENCER_BATCH_EVENTS,
            SEQUENCER_LINGER_MS, DOWNSTREAM_MAX_CONSUMERS, DOWNSTREAM_WRITE_TIMEOUT_MS, DOWNSTREAM_PING_MS,
            DOWNSTREAM_TOO_SLOW_GRACE_MS, DOWNSTREAM_TAKEDOWN_CAPACITY, JETSTREAM_MAX_CONNECTIONS,
            JETSTREAM_WRITE_TIMEOUT_MS, JETSTREAM_CACHE_EVENTS, JETSTREAM_CACHE_BYTES,
            UPSTREAM_HOSTS, UPSTREAM_MAX_HOSTS, UPSTREAM_REASSEMBLY_BYTES, UPSTREAM_EVENTS_PER_SECOND, UPSTREAM_EVENTS_PER_HOUR,
            UPSTREAM_EVENTS_PER_DAY, UPSTREAM_ACCOUNT_LIMIT, UPSTREAM_DISCOVERY_RELAYS,
            UPSTREAM_DISCOVERY_INTERVAL_MINUTES, PIPELINE_WORKERS, PIPELINE_QUEUE, PIPELINE_QUEUE_BYTES,
            PIPELINE_PARKING_FRAMES,
            PIPELINE_PARKING_BYTES, VALIDATION_LENIENT, VALIDATION_NATIVE_SECP256K1, MEMORY_JFR, MEMORY_STAGE_METERS, MEMORY_TRIM_INTERVAL_SECONDS, CRAWL_NEW_HOSTS_PER_DAY,
            CRAWL_TIMEOUT_MS, HEALTH_STALE_AFTER_SECONDS, ROLE, KAFKA_BOOTSTRAP_SERVERS, KAFKA_TOPIC,
            KAFKA_IN_FLIGHT_BYTES, KAFKA_REPLICATION_FACTOR, EDGE_PRIMARY_URL,
            EDGE_FUTURE_CURSOR_WAIT_MS);
}
