package dev.jlay.upstream;

import dev.jlay.net.AddressGuard;

import dev.jlay.memory.JfrMonitor;
import java.net.http.HttpClient;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * Runs at most {@code maxHosts} {@link HostConnection}s, one per host, sharing one HTTP client and
 * one frame sink. Hosts are keyed by their lower-cased name as given.
 */
public final class HostConnectionManager implements AutoCloseable {
    private final ConnectionConfig config;
    private final AddressGuard guard;
    private final FrameSink sink;
    private final HostListener listener;
    private final UpstreamMeters meters;
    /** Named so JFR allocation samples of the WebSocket client's own work count as stage receive (JfrMonitor). */
    private final ExecutorService executor = Executors.newThreadPerTaskExecutor(
            Thread.ofVirtual().name(JfrMonitor.RECEIVE_THREAD_PREFIX + "ws-", 0).factory());
    private final HttpClient http;
    private final ConcurrentHashMap<String, HostConnection> connections = new ConcurrentHashMap<>();
    /** Series of relay_host_frames_total: 63 hosts and "other". */
    static final int HOST_SERIES = 64;
    private final HostFrameSeries hostFrames = new HostFrameSeries(HOST_SERIES);
    private final ReassemblyBuffers reassembly;
    /** Connection attempts per second over all hosts (a start, a restart, a network blip: never a storm). */
    static final int CONNECTS_PER_SECOND = 200;
    private final ConnectPacer pacer = new ConnectPacer(CONNECTS_PER_SECOND);
    /** One timer for all hosts: pings the hosts whose readers wait (see HostConnection#keepaliveWhileWaiting). */
    private final ScheduledExecutorService keepalive = Executors.newSingleThreadScheduledExecutor(
            r -> Thread.ofPlatform().name("upstream-keepalive").daemon(true).unstarted(r));

    public HostConnectionManager(ConnectionConfig config, AddressGuard guard, FrameSink sink, HostListener listener) {
        this(config, guard, sink, listener, UpstreamMeters.unregistered());
    }

    /**
     * The JDK WebSocket's own per-connection buffers, sized to what they hold. It allocates a 16 KiB
     * write buffer and a 16 KiB intermediate (encoding) buffer for every connection and keeps them
     * while it is idle; the relay writes only pings, pongs and close frames (at most 131 bytes on
     * the wire). With the read buffer, an idle host cost 69 KB of heap at 300 hosts
     * (bench IdleHostsProbe). Set unless the operator set them (-D) already.
     */
    static final int WEBSOCKET_WRITE_BUFFER_BYTES = 512;
    static final int WEBSOCKET_INTERMEDIATE_BUFFER_BYTES = 512;
    /** The JDK HTTP client's read buffer ({@code jdk.httpclient.bufsize}, 16 KiB), shared with every HttpClient. */
    static final int READ_BUFFER_BYTES = 16 * 1024;

    static {
        setIfUnset("jdk.httpclient.websocket.writeBufferSize", WEBSOCKET_WRITE_BUFFER_BYTES);
        setIfUnset("jdk.httpclient.websocket.intermediateBufferSize", WEBSOCKET_INTERMEDIATE_BUFFER_BYTES);
    }

    private static void setIfUnset(String property, int bytes) {
        if (System.getProperty(property) == null) System.setProperty(property, Integer.toString(bytes));
    }

    /** Bytes of buffers one open connection holds while idle (write, intermediate, read), as configured. */
    public static long bufferBytesPerConnection() {
        return Integer.getInteger("jdk.httpclient.websocket.writeBufferSize", 16 * 1024)
                + Integer.getInteger("jdk.httpclient.websocket.intermediateBufferSize", 16 * 1024)
                + Integer.getInteger("jdk.httpclient.bufsize", READ_BUFFER_BYTES);
    }

    public HostConnectionManager(ConnectionConfig config, AddressGuard guard, FrameSink sink, HostListener listener,
                                 UpstreamMeters meters) {
        this.meters = meters;
        this.config = config;
        this.guard = guard;
        this.sink = sink;
        this.listener = listener;
        this.reassembly = new ReassemblyBuffers(config.maxHosts(), config.maxFrameBytes(), config.reassemblyBytes());
        this.http = HttpClient.newBuilder().connectTimeout(config.connectTimeout()).executor(executor).build();
        long pingNanos = config.pingInterval().toNanos();
        if (pingNanos > 0) {
            long period = Math.max(TimeUnit.MILLISECONDS.toNanos(10), pingNanos / 4);
            keepalive.scheduleWithFixedDelay(this::keepaliveWaitingReaders, period, period, TimeUnit.NANOSECONDS);
        }
    }

    /** Pings, for every reader that waits on the sink or its rate limit, the host it is not reading. */
    private void keepaliveWaitingReaders() {
        long now = System.nanoTime();
        for (HostConnection c : connections.values()) {
            try {
                c.keepaliveWhileWaiting(now);
            } catch (RuntimeException e) {
                // one socket's trouble shows on its own reader; the others still get their pings
            }
        }
    }

    /** The manager is full. */
    public static final class TooManyHostsException extends Exception {
        public TooManyHostsException(int max) {
            super("already connected to the maximum of " + max + " hosts");
        }
    }

    /**
     * Starts reading {@code host} (no-op if it already runs; the running connection is returned).
     *
     * @param cursor the host's last processed seq, asked on every (re)connect
     * @throws IllegalArgumentException if the host is not a usable host or URL
     */
    public synchronized HostConnection start(String host, LongSupplier cursor, RateLimiter limiter)
            throws TooManyHostsException {
        String key = key(host);
        HostConnection existing = connections.get(key);
        if (existing != null) {
            return existing;
        }
        if (connections.size() >= config.maxHosts()) {
            throw new TooManyHostsException(config.maxHosts());
        }
        var connection = new HostConnection(host, config, http, guard, sink, cursor, limiter, listener, meters,
                reassembly);
        connection.pacedBy(pacer);
        connections.put(key, connection);
        connection.start();
        return connection;
    }

    /** Stops and forgets {@code host}; false if it was not running. */
    public boolean stop(String host) {
        HostConnection c;
        synchronized (this) {
            c = connections.remove(key(host));
        }
        if (c == null) {
            return false;
        }
        c.stop();
        hostFrames.stopped(c);
        meters.disconnectLog().forget(c.host());
        return true;
    }

    public Optional<HostConnection> connection(String host) {
        return Optional.ofNullable(connections.get(key(host)));
    }

    public Optional<HostConnectionStatus> status(String host) {
        return connection(host).map(HostConnection::status);
    }

    public List<HostConnectionStatus> statuses() {
        var out = new ArrayList<HostConnectionStatus>(connections.size());
        for (HostConnection c : connections.values()) {
            out.add(c.status());
        }
        return out;
    }

    public UpstreamMeters meters() {
        return meters;
    }

    /** Readers per state. */
    public java.util.Map<HostConnectionStatus.State, Integer> countByState() {
        var counts = new java.util.EnumMap<HostConnectionStatus.State, Integer>(HostConnectionStatus.State.class);
        for (HostConnectionStatus.State st : HostConnectionStatus.State.values()) {
            counts.put(st, 0);
        }
        for (HostConnection c : connections.values()) {
            counts.merge(c.state(), 1, Integer::sum);
        }
        return counts;
    }

    /**
     * Exports {@code relay_upstream_connections} (open connections, as dashboards/METRICS.md names it)
     * and {@code relay_upstream_connection_states{state}} (every reader by what it is doing now),
     * and {@code relay_host_frames_total{host}} (bounded: see {@link HostFrameSeries}), and the
     * reassembly buffers.
     * The meters were registered when they were made.
     */
    public void registerGauges(dev.jlay.metrics.MetricRegistry metrics) {
        metrics.gauge("relay_upstream_connections", "Open WebSocket connections to upstream hosts.",
                () -> countByState().get(HostConnectionStatus.State.CONNECTED));
        for (HostConnectionStatus.State st : HostConnectionStatus.State.values()) {
            String label = st.name().toLowerCase(Locale.ROOT);
            metrics.gauge("relay_upstream_connection_states", "Upstream host readers by state.", "state", label,
                    () -> countByState().get(st));
        }
        metrics.gauge("relay_upstream_connection_buffer_bytes",
                "Buffers the open upstream connections hold in the JDK WebSocket client (write, encoding and read "
                        + "buffer per connection, as configured), over all connections.",
                () -> bufferBytesPerConnection() * countByState().get(HostConnectionStatus.State.CONNECTED));
        hostFrames.register(metrics, HOST_SERIES, connections.values());
        metrics.register(reassembly);
        metrics.register(reassembly.wholeMessages());
    }

    /** The partial messages all readers hold (buffer {@code upstream_reassembly}). */
    public ReassemblyBuffers reassembly() {
        return reassembly;
    }

    public int size() {
        return connections.size();
    }

    public int capacity() {
        return config.maxHosts();
    }

    @Override
    public void close() {
        List<HostConnection> all;
        synchronized (this) {
            all = new ArrayList<>(connections.values());
            connections.clear();
        }
        all.parallelStream().forEach(HostConnection::stop);
        meters.disconnectLog().flush();
        keepalive.shutdownNow();
        http.shutdownNow();
        executor.shutdownNow();
    }

    private static String key(String host) {
        return host.strip().toLowerCase(Locale.ROOT);
    }
}
