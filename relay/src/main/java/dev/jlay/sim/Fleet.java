package dev.jlay.sim;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.jlay.atproto.crypto.Curve;
import dev.jlay.atproto.crypto.Keypair;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * A PDS fleet on loopback: {@code hosts} {@link SimHost}s sharing {@code accounts} accounts
 * (P-256 and K-256 keys alternating), and a {@link PlcDirectory} serving every account's
 * DID document with its host as {@code #atproto_pds}. Accounts, keys and pre-generated
 * frames are made in parallel before {@link #start} so emission is cheap.
 */
public final class Fleet implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final char[] BASE32 = "abcdefghijklmnopqrstuvwxyz234567".toCharArray();

    /**
     * @param rate total frames per second over the fleet, 0 = as fast as the readers go
     * @param basePort first host port (host i listens on basePort + i), 0 = any free ports
     * @param plcPort the PLC stub's port, 0 = any
     * @param maxFrames real events over the fleet before going quiet, -1 = no end
     * @param pregenerate frames over the fleet made before start (then made live)
     * @param maxRecords records per account at most (bounds each repo's MST)
     */
    public record Settings(int hosts, int accounts, double rate, int basePort, int plcPort, long seed,
                           EventHistory.Limits history, long maxFrames, int pregenerate, HostTraffic.Mix mix,
                           boolean waitForSubscriber, int maxRecords, int p256Every) {
        public Settings {
            if (p256Every < 0) throw new IllegalArgumentException("p256Every must not be negative");
            if (hosts < 1) throw new IllegalArgumentException("hosts must be at least 1");
            if (accounts < hosts) throw new IllegalArgumentException("need at least one account per host");
            if (rate < 0) throw new IllegalArgumentException("rate must not be negative");
        }

        public static Settings of(int hosts, int accounts, double rate) {
            return new Settings(hosts, accounts, rate, 0, 0, 1, EventHistory.Limits.DEFAULT, -1, 0,
                    HostTraffic.Mix.DEFAULT, true, 50, 2);
        }

        public Settings withPorts(int base, int plc) {
            return new Settings(hosts, accounts, rate, base, plc, seed, history, maxFrames, pregenerate, mix,
                    waitForSubscriber, maxRecords, p256Every);
        }

        public Settings withMaxFrames(long n) {
            return new Settings(hosts, accounts, rate, basePort, plcPort, seed, history, n, pregenerate, mix,
                    waitForSubscriber, maxRecords, p256Every);
        }

        public Settings withPregenerate(int n) {
            return new Settings(hosts, accounts, rate, basePort, plcPort, seed, history, maxFrames, n, mix,
                    waitForSubscriber, maxRecords, p256Every);
        }

        public Settings withMix(HostTraffic.Mix m) {
            return new Settings(hosts, accounts, rate, basePort, plcPort, seed, history, maxFrames, pregenerate, m,
                    waitForSubscriber, maxRecords, p256Every);
        }

        public Settings withSeed(long s) {
            return new Settings(hosts, accounts, rate, basePort, plcPort, s, history, maxFrames, pregenerate, mix,
                    waitForSubscriber, maxRecords, p256Every);
        }

        public Settings withHistory(EventHistory.Limits h) {
            return new Settings(hosts, accounts, rate, basePort, plcPort, seed, h, maxFrames, pregenerate, mix,
                    waitForSubscriber, maxRecords, p256Every);
        }

        public Settings withWaitForSubscriber(boolean w) {
            return new Settings(hosts, accounts, rate, basePort, plcPort, seed, history, maxFrames, pregenerate, mix,
                    w, maxRecords, p256Every);
        }

        /** Every {@code n}-th account (index n-1, 2n-1, ...) gets a P-256 key, the rest K-256; 0: none. */
        public Settings withP256Every(int n) {
            return new Settings(hosts, accounts, rate, basePort, plcPort, seed, history, maxFrames, pregenerate, mix,
                    waitForSubscriber, maxRecords, n);
        }

        boolean p256(int index) {
            return p256Every > 0 && index % p256Every == p256Every - 1;
        }

        /** Share {@code i} of {@code total} split over the hosts (the first ones take the remainder). */
        long share(long total, int i) {
            return total / hosts + (i < total % hosts ? 1 : 0);
        }
    }

    private final Settings settings;
    private final PlcDirectory plc;
    private final List<SimHost> hosts;
    private final List<FrameSource> sources;
    private final List<HostTraffic> traffic;
    private boolean started;

    private Fleet(Settings settings, PlcDirectory plc, List<SimHost> hosts, List<HostTraffic> traffic,
                  List<FrameSource> sources) {
        this.settings = settings;
        this.plc = plc;
        this.hosts = hosts;
        this.traffic = traffic;
        this.sources = sources;
    }

    /** Listens on every port and makes every account and pre-generated frame; nothing is emitted yet. */
    public static Fleet create(Settings s) {
        var plc = new PlcDirectory(s.plcPort());
        var hosts = new ArrayList<SimHost>(s.hosts());
        ExecutionException failure = null;
        try {
            int threads = Math.max(1, Runtime.getRuntime().availableProcessors());
            try (var pool = Executors.newFixedThreadPool(threads)) {
                var started = new ArrayList<Future<SimHost>>(s.hosts());
                for (int i = 0; i < s.hosts(); i++) {
                    var hs = new SimHost.Settings(s.basePort() == 0 ? 0 : s.basePort() + i, s.history(), true,
                            s.rate() / s.hosts(), s.maxFrames() < 0 ? -1 : s.share(s.maxFrames(), i),
                            s.waitForSubscriber());
                    String domain = domain(i);
                    long seed = s.seed() * 1_000_003L + i;
                    started.add(pool.submit(() -> new SimHost(hs, domain, seed)));
                }
                for (var f : started) {
                    try {
                        hosts.add(f.get());
                    } catch (ExecutionException e) {
                        // keep collecting, so every host that did start is closed below
                        if (failure == null) failure = e;
                    }
                }
            }
            if (failure != null) throw failure;
            var traffic = new ArrayList<HostTraffic>(s.hosts());
            var sources = new ArrayList<FrameSource>(s.hosts());
            try (var pool = Executors.newFixedThreadPool(threads)) {
                var futures = new ArrayList<Future<HostTraffic>>();
                var pres = new ArrayList<Future<FrameSource>>();
                int firstAccount = 0;
                for (int i = 0; i < s.hosts(); i++) {
                    int host = i, first = firstAccount, n = (int) s.share(s.accounts(), i);
                    firstAccount += n;
                    futures.add(pool.submit(() -> new HostTraffic(accounts(s, hosts.get(host), plc, host, first, n),
                            s.seed() * 7_919L + host, s.mix())));
                }
                for (var f : futures) traffic.add(f.get());
                for (int i = 0; i < s.hosts(); i++) {
                    var t = traffic.get(i);
                    int pre = (int) s.share(s.pregenerate(), i);
                    pres.add(pool.submit(() -> pre > 0 ? FrameSource.pregenerated(t, pre) : t));
                }
                for (var f : pres) sources.add(f.get());
            }
            var fleet = new Fleet(s, plc, hosts, traffic, sources);
            plc.onStart(fleet::start);
            return fleet;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            closeAll(plc, hosts);
            throw new IllegalStateException("interrupted while building the fleet", e);
        } catch (ExecutionException | RuntimeException e) {
            closeAll(plc, hosts);
            throw e instanceof RuntimeException r ? r : new IllegalStateException(e.getCause());
        }
    }

    private static List<SimAccount> accounts(Settings s, SimHost host, PlcDirectory plc, int hostIndex, int first, int n) {
        var out = new ArrayList<SimAccount>(n);
        for (int j = 0; j < n; j++) {
            int index = first + j;
            var random = seeded(s.seed(), index);
            String did = plcDid(random);
            String handle = "u" + j + "." + domain(hostIndex);
            var key = Keypair.generate(s.p256(index) ? Curve.P256 : Curve.K256, random);
            var account = new SimAccount(did, handle, key, index % 1024, s.maxRecords());
            plc.put(did, DidDocuments.bytes(did, handle, key, host.url()));
            out.add(account);
        }
        return out;
    }

    private static SecureRandom seeded(long seed, int index) {
        try {
            var r = SecureRandom.getInstance("SHA1PRNG");
            r.setSeed(seed * 31 + index);
            return r;
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** did:plc: and 24 base32 characters. */
    static String plcDid(Random random) {
        var sb = new StringBuilder("did:plc:");
        for (int i = 0; i < 24; i++) sb.append(BASE32[random.nextInt(32)]);
        return sb.toString();
    }

    static String domain(int hostIndex) {
        return "h" + hostIndex + ".sim.test";
    }

    /** Starts every host's emitter (each waits for its first subscriber unless told otherwise). Once. */
    public synchronized void start() {
        if (started) return;
        started = true;
        for (int i = 0; i < hosts.size(); i++) hosts.get(i).start(sources.get(i));
    }

    public synchronized boolean started() {
        return started;
    }

    public Settings settings() {
        return settings;
    }

    public PlcDirectory plc() {
        return plc;
    }

    public List<SimHost> hosts() {
        return hosts;
    }

    /** The accounts of host {@code i}. */
    public List<SimAccount> accounts(int i) {
        return traffic.get(i).accounts();
    }

    /** host:port of every host, as {@code upstream.hosts} lists them. */
    public List<String> hostnames() {
        return hosts.stream().map(SimHost::hostname).toList();
    }

    public long emitted() {
        return hosts.stream().mapToLong(SimHost::emitted).sum();
    }

    public boolean finished() {
        return hosts.stream().allMatch(SimHost::finished);
    }

    /** The one-line description {@code simulate} prints. */
    public ObjectNode describe() {
        ObjectNode o = JSON.createObjectNode();
        o.put("plc", plc.url().toString());
        var hs = o.putArray("hosts");
        hostnames().forEach(hs::add);
        o.put("accounts", settings.accounts());
        o.put("rate", settings.rate());
        o.put("history_max_events", settings.history().maxEvents());
        o.put("history_max_bytes", settings.history().maxBytes());
        return o;
    }

    @Override
    public void close() {
        closeAll(plc, hosts);
    }

    private static void closeAll(PlcDirectory plc, List<SimHost> hosts) {
        for (SimHost h : hosts) {
            try {
                h.close();
            } catch (RuntimeException ignored) {
                // keep closing the rest
            }
        }
        plc.close();
    }
}
