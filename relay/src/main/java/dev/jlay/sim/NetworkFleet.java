package dev.jlay.sim;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * The simulator at network shape, in one process: {@link VirtualHosts} (one listener for every
 * host), accounts laid out by {@link NetworkShape} and kept compact by {@link NetworkAccounts},
 * and the PLC stub deriving each DID document on request. Arrivals are one Poisson process over
 * the network at {@code rate} (the sum of every account's own independent process, each account
 * drawn by its Zipf weight), not rounds over the hosts; optionally a large host replays a
 * backlog in one burst now and then, and small hosts churn on a schedule.
 */
public final class NetworkFleet implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * @param rate frames/s over the network (0 = as fast as the relay reads)
     * @param maxFrames frames before going quiet (-1 = no end)
     * @param pregenerate frames signed before start, served first (then made live)
     * @param maxLive accounts holding a repository at once (the rest are an index and a bit)
     * @param historyBytes replay history of all hosts together (80 % to the large hosts)
     * @param burstEverySeconds a large host replays {@code burstFrames} back to back this often (0 = never)
     * @param churnEverySeconds one small host churns this often (0 = never), for {@code churnSeconds}
     */
    public record Settings(int hosts, int accounts, double rate, long seed, double zipf, long maxFrames,
                           int pregenerate, int maxLive, int maxRecords, long historyBytes, int port, int plcPort,
                           int burstEverySeconds, int burstFrames, int churnEverySeconds, int churnSeconds) {
        public Settings {
            if (hosts < 1 || hosts > 99_999) throw new IllegalArgumentException("hosts must be 1..99,999");
            if (accounts < hosts || accounts > 33_000_000) {
                throw new IllegalArgumentException("accounts must be at least hosts and at most 33,000,000");
            }
            if (rate < 0) throw new IllegalArgumentException("rate must not be negative");
        }

        public static Settings of(int hosts, int accounts, double rate) {
            return new Settings(hosts, accounts, rate, 1, 0.8, -1, 0, 20_000, 8, 512L << 20, 0, 0, 0, 0, 0, 10);
        }
    }

    private final Settings settings;
    private final NetworkShape shape;
    private final VirtualHosts hosts;
    private final PlcDirectory plc;
    private final NetworkAccounts[] partitions;
    private final int[] preHost;
    private final byte[][][] preFrames;
    private long preBytes;
    private int preNext;
    private final AtomicLong emitted = new AtomicLong();
    private final AtomicLong bursts = new AtomicLong();
    private final Map<VirtualHosts.Churn, AtomicLong> churned = new EnumMap<>(VirtualHosts.Churn.class);
    private final long startedNanos = System.nanoTime();
    private volatile boolean closed;
    private Thread emitter;

    private NetworkFleet(Settings s) {
        this.settings = s;
        this.shape = new NetworkShape(s.hosts(), s.accounts(), s.zipf(), s.seed());
        int large = shape.largeHosts();
        long largeBytes = Math.max(4L << 20, s.historyBytes() * 8 / 10 / large);
        long smallBytes = Math.max(64L << 10, s.historyBytes() * 2 / 10 / Math.max(1, s.hosts() - large));
        this.hosts = new VirtualHosts(s.hosts(), i -> i < large
                ? new EventHistory.Limits((int) Math.min(Integer.MAX_VALUE, largeBytes / 256), largeBytes)
                : new EventHistory.Limits((int) (smallBytes / 256), smallBytes), s.port(), this::status);
        this.plc = new PlcDirectory(s.plcPort());
        int threads = Math.max(1, Runtime.getRuntime().availableProcessors());
        this.partitions = new NetworkAccounts[threads];
        for (int p = 0; p < threads; p++) {
            partitions[p] = new NetworkAccounts(shape, s.seed(), Math.max(1, s.maxLive() / threads), s.maxRecords(),
                    NetworkAccounts.Mix.NETWORK, hosts::url, VirtualHosts::domain);
        }
        plc.derive(partitions[0]::document);
        for (var k : VirtualHosts.Churn.values()) churned.put(k, new AtomicLong());
        this.preHost = new int[s.pregenerate()];
        this.preFrames = new byte[s.pregenerate()][][];
    }

    /** Listens, lays out the accounts and signs the pre-generated frames (in parallel); emits nothing yet. */
    public static NetworkFleet create(Settings s) {
        var fleet = new NetworkFleet(s);
        try {
            fleet.pregenerate();
        } catch (RuntimeException e) {
            fleet.close();
            throw e;
        }
        fleet.plc.onStart(fleet::start);
        return fleet;
    }

    private void pregenerate() {
        int n = preHost.length;
        if (n == 0) return;
        var random = new Random(settings.seed() * 31 + 7);
        int[] accountAt = new int[n];
        for (int i = 0; i < n; i++) accountAt[i] = shape.sampleAccount(random);
        int parts = partitions.length;
        try (var pool = Executors.newFixedThreadPool(parts)) {
            var futures = new ArrayList<Future<Long>>();
            for (int p = 0; p < parts; p++) {
                int part = p;
                futures.add(pool.submit(() -> {
                    var r = new Random(settings.seed() * 131 + part);
                    long bytes = 0;
                    for (int i = 0; i < n; i++) {
                        if (accountAt[i] % parts != part) continue;
                        var frames = partitions[part].arrival(accountAt[i], r).toArray(byte[][]::new);
                        preFrames[i] = frames;
                        for (byte[] f : frames) bytes += f.length;
                    }
                    return bytes;
                }));
            }
            for (var f : futures) preBytes += f.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while signing", e);
        } catch (ExecutionException e) {
            throw new IllegalStateException("pre-generation failed", e.getCause());
        }
        for (int i = 0; i < n; i++) preHost[i] = shape.hostOf(accountAt[i]);
    }

    /** Starts the emitter; once. */
    public synchronized void start() {
        if (emitter != null) return;
        emitter = Thread.ofPlatform().daemon().name("netsim-emit").start(this::emit);
    }

    public synchronized boolean started() {
        return emitter != null;
    }

    private void emit() {
        var random = new Random(settings.seed() * 17 + 3);
        var liveRandom = new Random(settings.seed() * 19 + 5);
        double rate = settings.rate();
        long next = System.nanoTime();
        long nextBurst = settings.burstEverySeconds() > 0 ? next + settings.burstEverySeconds() * 1_000_000_000L : Long.MAX_VALUE;
        long nextChurn = settings.churnEverySeconds() > 0 ? next + settings.churnEverySeconds() * 1_000_000_000L : Long.MAX_VALUE;
        try {
            while (!closed && (settings.maxFrames() < 0 || emitted.get() < settings.maxFrames())) {
                long now = System.nanoTime();
                if (now - nextChurn >= 0) {
                    churnOne(random);
                    nextChurn += settings.churnEverySeconds() * 1_000_000_000L;
                }
                if (now - nextBurst >= 0) {
                    burst(liveRandom);
                    nextBurst += settings.burstEverySeconds() * 1_000_000_000L;
                }
                if (rate > 0) {
                    if (now - next > 1_000_000_000L) next = now - 1_000_000_000L; // no more than a second's catch-up
                    if (next - now > 0) {
                        LockSupport.parkNanos(Math.max(10_000, next - now));
                        continue;
                    }
                }
                int host;
                byte[][] frames;
                if (preNext < preHost.length) {
                    host = preHost[preNext];
                    frames = preFrames[preNext];
                    preFrames[preNext++] = null;
                    if (frames == null) continue; // a burst sent it ahead of its turn
                } else {
                    int account = shape.sampleAccount(liveRandom);
                    host = shape.hostOf(account);
                    frames = partitions[account % partitions.length].arrival(account, liveRandom).toArray(byte[][]::new);
                }
                for (byte[] f : frames) {
                    if (hosts.append(host, f) < 0) return;
                    emitted.incrementAndGet();
                    // each frame is an arrival of its account's own process: exponential gaps
                    if (rate > 0) next += (long) (-Math.log(1 - random.nextDouble()) / rate * 1e9);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** A large host replays a backlog: {@code burstFrames} of its accounts' events back to back. */
    private void burst(Random random) throws InterruptedException {
        if (settings.burstFrames() <= 0) return;
        int host = random.nextInt(shape.largeHosts());
        int first = shape.firstAccountOf(host), n = shape.accountsOf(host);
        int sent = 0;
        // while pre-generated frames remain, the burst is the host's next ones, sent ahead of their
        // turn (in their order, so every account's chain stays in order): frames made now would
        // chain past commits still waiting in the queue, which then arrive stale
        for (int i = preNext; i < preHost.length && sent < settings.burstFrames() && !closed; i++) {
            if (preHost[i] != host || preFrames[i] == null) continue;
            for (byte[] f : preFrames[i]) {
                if (hosts.append(host, f) < 0) return;
                emitted.incrementAndGet();
                sent++;
            }
            preFrames[i] = null;
        }
        if (preNext < preHost.length) {
            bursts.incrementAndGet();
            return;
        }
        while (sent < settings.burstFrames() && !closed) {
            int account = first + random.nextInt(n);
            for (byte[] f : partitions[account % partitions.length].arrival(account, random)) {
                if (hosts.append(host, f) < 0) return;
                emitted.incrementAndGet();
                sent++;
            }
        }
        bursts.incrementAndGet();
    }

    private void churnOne(Random random) {
        int large = shape.largeHosts();
        if (settings.hosts() <= large) return;
        int host = large + random.nextInt(settings.hosts() - large);
        var kinds = VirtualHosts.Churn.values();
        var kind = kinds[random.nextInt(kinds.length)];
        hosts.churn(host, kind, settings.churnSeconds() * 1000L);
        churned.get(kind).incrementAndGet();
    }

    public Settings settings() {
        return settings;
    }

    public NetworkShape shape() {
        return shape;
    }

    public VirtualHosts hosts() {
        return hosts;
    }

    public PlcDirectory plc() {
        return plc;
    }

    public NetworkAccounts accounts() {
        return partitions[0];
    }

    public long emitted() {
        return emitted.get();
    }

    public List<String> hostnames() {
        var out = new ArrayList<String>(hosts.size());
        for (int i = 0; i < hosts.size(); i++) out.add(hosts.hostname(i));
        return out;
    }

    /** What {@code GET /_sim/status} (on the hosts' listener) answers: progress and the simulator's own memory. */
    public ObjectNode status() {
        ObjectNode o = JSON.createObjectNode();
        o.put("seconds", Math.round((System.nanoTime() - startedNanos) / 1e8) / 10.0);
        o.put("emitted", emitted.get());
        o.put("connections", hosts.connections());
        o.put("refused", hosts.refused());
        o.put("bursts", bursts.get());
        ObjectNode c = o.putObject("churn");
        churned.forEach((k, v) -> c.put(k.label(), v.get()));
        long announced = 0, rejoins = 0, live = 0;
        for (var p : partitions) {
            announced += p.announced();
            rejoins += p.rejoins();
            live += p.liveAccounts();
        }
        o.put("accounts_announced", announced);
        o.put("accounts_live", live);
        o.put("accounts_rejoined_by_sync", rejoins);
        o.put("plc_requests", plc.requests());
        ObjectNode m = o.putObject("memory_bytes");
        var rt = Runtime.getRuntime();
        m.put("heap_used", rt.totalMemory() - rt.freeMemory());
        m.put("heap_max", rt.maxMemory());
        m.put("histories", hosts.historyBytes());
        m.put("pregenerated_total", preBytes);
        m.put("shape", shape.bytes());
        return o;
    }

    /** The one JSON line {@code simulate --profile network} prints: where everything is. */
    public ObjectNode describe() {
        ObjectNode o = JSON.createObjectNode();
        o.put("plc", plc.url().toString());
        o.put("port", hosts.port());
        o.put("status", "http://127.0.0.1:" + hosts.port() + "/_sim/status");
        o.put("suffix", VirtualHosts.SUFFIX);
        o.put("accounts", settings.accounts());
        o.put("large_hosts", shape.largeHosts());
        o.put("large_hosts_account_share", Math.round(shape.largeShare() * 1000) / 1000.0);
        o.put("rate", settings.rate());
        o.put("pregenerated", preHost.length);
        o.put("pregenerated_bytes", preBytes);
        var hs = o.putArray("hosts");
        hostnames().forEach(hs::add);
        return o;
    }

    @Override
    public void close() {
        closed = true;
        Thread t;
        synchronized (this) {
            t = emitter;
        }
        if (t != null) t.interrupt();
        hosts.close();
        plc.close();
    }
}
