package dev.jlay.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.jlay.sim.LatencyHistogram;
import dev.jlay.sim.MetricsText;
import dev.jlay.sim.RelayStatus;
import dev.jlay.sim.SoakConsumer;
import dev.jlay.sim.WarmLatency;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * {@code soak --profile network}: the network-shaped simulator ({@code simulate --profile network})
 * and the relay as two processes, in phases that each change one count, so the cost of one more of
 * it can be fitted (least squares) from the relay's live bytes: RSS with the Java heap counted as
 * its used bytes after a full GC ({@code jcmd GC.run}), every other {@code /admin/memory} owner as
 * it is.
 * <ol>
 *   <li><b>hosts</b>: the relay starts with the large hosts and a share of the small ones; the rest
 *   are added in steps through {@code POST /admin/hosts/crawl}; idle (nothing emitted yet).</li>
 *   <li><b>consumers</b>: consumers attach in steps, still idle.</li>
 *   <li><b>accounts</b>: traffic starts; accounts become known; a GC'd sample every
 *   {@code memory-sample-seconds}.</li>
 *   <li><b>steady</b>: traffic goes on without forced GCs; latency, throughput, drops and GC share
 *   are measured here.</li>
 * </ol>
 */
final class NetworkSoak {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final SoakCommand o;
    private final HttpClient http;
    private final Path dir;
    private final long t0 = System.nanoTime();
    private final ArrayNode rssSamples = JSON.createArrayNode();
    private final ArrayNode memorySamples = JSON.createArrayNode();
    private final ArrayNode simSamples = JSON.createArrayNode();
    private final List<SoakChart.Mark> marks = new ArrayList<>();
    private Process relay;
    private Process sim;
    private URI memoryUri;
    private URI metricsUri;
    private URI simStatus;
    private String adminToken;

    NetworkSoak(SoakCommand options, HttpClient http, Path dir) {
        this.o = options;
        this.http = http;
        this.dir = dir;
    }

    int run() throws Exception {
        int hosts = o.hosts, consumers = o.consumers;
        int accounts = o.accounts;
        double rate = "max".equalsIgnoreCase(o.rate) ? 0 : Double.parseDouble(o.rate);
        long duration = o.durationSeconds;
        long pre = o.pregenerate >= 0 ? o.pregenerate
                : (long) Math.min(400_000, (rate > 0 ? rate : 2_000) * duration * 1.05);
        SoakCommand.err("soak[network]: simulator: " + hosts + " hosts, " + accounts + " accounts, signing " + pre
                + " frames up front...");
        var simArgs = new ArrayList<>(List.of("simulate", "--profile", "network", "--hold", "--hosts", "" + hosts,
                "--accounts", "" + accounts, "--rate", o.rate, "--pregenerate", "" + pre, "--status-seconds", "0",
                "--zipf", "" + o.zipf, "--live-accounts", "" + o.liveAccounts, "--burst-every", "" + o.burstEvery,
                "--burst-frames", "" + o.burstFrames, "--churn-every", "" + o.churnEvery, "--churn-seconds",
                "" + o.churnSeconds));
        sim = o.start(dir, "simulator", java.util.Map.of(), List.of("-Xmx" + o.simHeap, "-XX:+UseG1GC"), simArgs);
        JsonNode fleet = SoakCommand.firstJsonLine(sim, Duration.ofMinutes(30));
        String plc = fleet.get("plc").asText();
        simStatus = URI.create(fleet.get("status").asText());
        int large = fleet.get("large_hosts").asInt();
        var all = new ArrayList<String>();
        fleet.get("hosts").forEach(h -> all.add(h.asText()));
        SoakCommand.err("soak[network]: simulator ready in " + secs() + " s: " + large + " large hosts hold "
                + fleet.get("large_hosts_account_share").asDouble() * 100 + " % of the accounts; "
                + fleet.get("pregenerated_bytes").asLong() / (1 << 20) + " MiB pre-generated");

        // hosts: the large ones and the first step of small ones from the start, the rest in steps
        int steps = Math.max(1, o.hostSteps);
        int small = hosts - large;
        var initial = all.subList(0, large + small / (steps + 1));
        int port = SoakCommand.freePort(), metricsPort = SoakCommand.freePort();
        adminToken = "soak-" + Long.toHexString(System.nanoTime());
        var env = new HashMap<>(FleetStartup.relaySettings(plc, List.of(), dir.resolve("relay"), "127.0.0.1", port,
                metricsPort));
        env.remove(dev.jlay.config.ConfigKey.envName("upstream.hosts"));
        // thousands of host names do not fit one environment variable (128 KiB): a config file holds them
        Path config = dir.resolve("relay.yaml");
        Files.writeString(config, "upstream:\n  hosts: \"" + String.join(",", initial) + "\"\n");
        env.put("RELAY_CONFIG", config.toString());
        env.put("RELAY_ADMIN_TOKEN", adminToken);
        if (o.databaseUrl != null) env.put("RELAY_DATABASE_URL", o.databaseUrl);
        for (String setting : o.relayEnv) {
            int eq = setting.indexOf('=');
            if (!setting.startsWith("RELAY_") || eq < 0) {
                throw new IllegalArgumentException("--relay-env takes RELAY_KEY=VALUE, not " + setting);
            }
            env.put(setting.substring(0, eq), setting.substring(eq + 1));
        }
        env.put("RELAY_MEMORY_JFR", "" + o.jfr);
        env.put("MALLOC_ARENA_MAX", "2");
        var flags = new ArrayList<>(List.of("-Xms" + o.relayHeap, "-Xmx" + o.relayHeap, "-XX:+AlwaysPreTouch",
                "-XX:+UseG1GC", "-XX:MaxGCPauseMillis=100", "-XX:MaxMetaspaceSize=256m",
                "-XX:MaxDirectMemorySize=512m", "-XX:ReservedCodeCacheSize=240m", "-Djdk.httpclient.bufsize=8192",
                // the simulated hosts' names (h00042.sim.test) resolve to 127.0.0.1, like curl --resolve
                "-D" + dev.jlay.net.LoopbackNames.PROPERTY + "=" + fleet.get("suffix").asText()));
        if (o.nmt) flags.add("-XX:NativeMemoryTracking=summary");
        SoakCommand.err("soak[network]: relay on 127.0.0.1:" + port + ", heap " + o.relayHeap + ", "
                + initial.size() + " hosts from its config, data in " + dir.resolve("relay"));
        relay = o.start(dir, "relay", env, flags, List.of("serve"));
        metricsUri = URI.create("http://127.0.0.1:" + metricsPort + "/metrics");
        memoryUri = URI.create("http://127.0.0.1:" + port + "/admin/memory");
        waitConnections(initial.size(), Duration.ofMinutes(10));

        // phase 1: idle hosts
        mark("hosts");
        var hostPoints = JSON.createArrayNode();
        hostPoints.add(point("hosts_connected", connections()));
        int added = initial.size();
        for (int step = 1; step <= steps; step++) {
            int upTo = step == steps ? hosts : large + small * (step + 1) / (steps + 1);
            crawl(all.subList(added, upTo), port);
            added = upTo;
            waitConnections(added, Duration.ofMinutes(5));
            hostPoints.add(point("hosts_connected", connections()));
        }

        // phase 2: idle consumers
        mark("consumers");
        var consumerPoints = JSON.createArrayNode();
        consumerPoints.add(point("consumers", 0));
        var latency = new WarmLatency(Long.MAX_VALUE);
        var cs = new ArrayList<SoakConsumer>();
        int cSteps = Math.max(1, Math.min(o.consumerSteps, consumers));
        for (int step = 1; step <= cSteps; step++) {
            int upTo = consumers * step / cSteps;
            while (cs.size() < upTo) {
                cs.add(SoakConsumer.connect(http, "127.0.0.1", port, cs.isEmpty() ? latency : null));
            }
            Thread.sleep(2000);
            consumerPoints.add(point("consumers", cs.size()));
        }

        // phase 3: traffic; accounts become known; GC'd samples
        MetricsText before = SoakCommand.scrape(http, metricsUri);
        long cpuBefore = cpuTicks(relay.pid());
        http.send(HttpRequest.newBuilder(URI.create(plc + "/_sim/start")).POST(HttpRequest.BodyPublishers.noBody())
                .build(), HttpResponse.BodyHandlers.discarding());
        mark("accounts (traffic, GC'd samples)");
        SoakCommand.err("soak[network]: " + cs.size() + " consumers; traffic at " + o.rate + " frames/s for "
                + duration + " s (first half: account fit with forced GCs; second half: steady, measured)");
        var accountPoints = JSON.createArrayNode();
        long trafficStart = System.nanoTime();
        long half = TimeUnit.SECONDS.toNanos(duration) / 2;
        // the first account point one interval in: at the very start the first frames of every new
        // account are still parked for their identity, a transient that is no account's cost
        long lastMemory = System.nanoTime(), lastProgress = System.nanoTime();
        boolean steady = false;
        long steadyFrames0 = 0, steadyAt = 0;
        MetricsText atSteady = null;
        long cpuSteady = 0;
        String cut = null;
        while (true) {
            Thread.sleep(1000);
            long now = System.nanoTime();
            long done = SoakCommand.minFrames(cs);
            rssSamples.addObject().put("t", secs()).put("frames", done).put("rss", SoakCommand.rssOf(relay.pid()));
            if (!steady && now - trafficStart >= half) {
                steady = true;
                steadyAt = now;
                steadyFrames0 = SoakCommand.minFrames(cs);
                latency.warmAfter(cs.getFirst().frames());
                atSteady = SoakCommand.scrape(http, metricsUri);
                cpuSteady = cpuTicks(relay.pid());
                mark("steady (measured)");
            }
            if (now - lastMemory >= TimeUnit.SECONDS.toNanos(o.memorySampleSeconds)) {
                lastMemory = now;
                if (!steady) {
                    long announced = simStatus().path("accounts_announced").asLong();
                    var p = point("accounts_known", 0);
                    // known to the relay: its account cache holds every account it has seen until it fills
                    p.put("accounts_known", p.path("accounts_cached").asLong());
                    p.put("accounts_announced_by_simulator", announced);
                    accountPoints.add(p);
                } else {
                    sampleMemory("steady", false);
                }
                sampleSim();
            }
            if (now - lastProgress >= TimeUnit.SECONDS.toNanos(o.progressSeconds)) {
                lastProgress = now;
                var shown = steady ? latency.afterWarmup() : latency.wholeRun();
                SoakCommand.err(String.format("soak[network]: %.0f s | %d frames | p99 %.1f ms | rss %d MiB%s",
                        secs(), done, shown.quantileMillis(0.99), SoakCommand.rssOf(relay.pid()) >> 20,
                        steady ? " (steady)" : ""));
            }
            cut = SoakCommand.disconnected(cs);
            if (now - trafficStart >= 2 * half || cut != null || !relay.isAlive()) break;
        }
        if (cut != null) SoakCommand.err("soak[network]: " + cut);
        MetricsText after = SoakCommand.scrape(http, metricsUri);
        long cpuAfter = cpuTicks(relay.pid());
        long frames = SoakCommand.minFrames(cs);
        double steadySeconds = steady ? (System.nanoTime() - steadyAt) / 1e9 : 0;
        long steadyFrames = frames - steadyFrames0;

        ObjectNode out = JSON.createObjectNode();
        out.put("command", o.commandLine());
        out.put("profile", "network");
        boolean complete = steady && cut == null && relay.isAlive() && steadyFrames > 0;
        out.put("complete", complete);
        out.put("hosts", hosts).put("large_hosts", large).put("accounts", accounts).put("rate", o.rate)
                .put("consumers", consumers).put("relay_heap", o.relayHeap).put("duration_seconds", duration);
        out.put("machine_load", loadAverage());
        ObjectNode costs = out.putObject("marginal_cost_bytes");
        MetricsText gauges = after;
        costs.set("idle_host", fitted(hostPoints, "hosts_connected", gauges, "idle_host"));
        costs.set("consumer", fitted(consumerPoints, "consumers", gauges, "consumer"));
        accountCosts(costs, accountPoints, gauges);
        ObjectNode phases = out.putObject("phases");
        phases.set("hosts", hostPoints);
        phases.set("consumers", consumerPoints);
        phases.set("accounts", accountPoints);
        ObjectNode th = out.putObject("throughput");
        th.put("frames", frames).put("steady_frames", steadyFrames).put("steady_seconds", round(steadySeconds))
                .put("steady_frames_per_second", steadySeconds > 0 ? Math.round(steadyFrames / steadySeconds) : 0);
        out.set("latency_ms", latencyJson(latency.afterWarmup()));
        out.set("latency_ms_whole_traffic", latencyJson(latency.wholeRun()));
        // the relay's own part: p50/p99 bucket bounds per stage over the steady phase
        out.set("stage_latency_ms", SoakCommand.stageLatency(atSteady != null ? atSteady : before, after));
        ObjectNode drops = out.putObject("drops");
        if (after != null) RelayStatus.drops(after).forEach(drops::put);
        if (after != null && before != null) {
            out.put("consumers_kicked", after.sum("relay_consumer_kicks_total") - before.sum("relay_consumer_kicks_total"));
            out.put("upstream_connects_during_traffic",
                    after.sum("relay_upstream_connects_total") - before.sum("relay_upstream_connects_total"));
            out.put("upstream_disconnects_during_traffic",
                    after.sum("relay_upstream_disconnects_total") - before.sum("relay_upstream_disconnects_total"));
            out.set("upstream_disconnects_by_reason", byLabel(after, "relay_upstream_disconnects_total"));
        }
        out.put("consumers_disconnected", cut);
        ObjectNode gc = out.putObject("gc");
        if (atSteady != null && after != null) {
            double pause = after.sum("relay_jvm_gc_pause_seconds_total") - atSteady.sum("relay_jvm_gc_pause_seconds_total");
            double cpu = (cpuAfter - cpuSteady) / 100.0;
            gc.put("steady_pause_seconds", round(pause)).put("steady_cpu_seconds", round(cpu))
                    .put("steady_pause_share_of_cpu", cpu > 0 ? round(pause / cpu) : 0)
                    .put("note", "G1 pause time over the relay's CPU time (utime+stime): concurrent marking "
                            + "threads are not in the numerator");
            gc.put("traffic_cpu_seconds", round((cpuAfter - cpuBefore) / 100.0));
        }
        out.set("rss_bytes", rssSamples);
        out.set("memory_samples", memorySamples);
        out.set("simulator", simSamples);
        Path png = o.chart != null ? o.chart : chartBeside(o.report);
        try {
            SoakChart.write(png, "jlay RSS by owner: " + hosts + " hosts, " + accounts + " accounts, " + o.rate
                    + " frames/s, " + consumers + " consumers", memorySamples, marks);
            out.put("chart", png.getFileName().toString());
        } catch (IOException | RuntimeException | Error e) {
            out.put("chart_error", String.valueOf(e));
        }
        Files.writeString(o.report, JSON.writerWithDefaultPrettyPrinter().writeValueAsString(out) + "\n");
        SoakCommand.err("soak[network]: " + (complete ? "done" : "INCOMPLETE") + ": " + frames + " frames; steady "
                + th.get("steady_frames_per_second") + "/s, p50 " + latency.afterWarmup().quantileMillis(0.5)
                + " ms, p99 " + latency.afterWarmup().quantileMillis(0.99) + " ms; marginal cost " + costs
                + "; drops " + drops + "; report " + o.report + ", chart " + png);
        cs.forEach(SoakConsumer::close);
        return complete ? 0 : 1;
    }

    static Path chartBeside(Path report) {
        String name = report.getFileName().toString();
        String stem = name.endsWith(".json") ? name.substring(0, name.length() - 5) : name;
        return report.resolveSibling(stem + ".png");
    }

    private void mark(String phase) {
        marks.add(new SoakChart.Mark(secs(), phase));
        SoakCommand.err("soak[network]: phase " + phase + " at " + secs() + " s");
    }

    private double secs() {
        return round((System.nanoTime() - t0) / 1e9);
    }

    /** A GC'd sample of live bytes at a count: one point of a fit. */
    private ObjectNode point(String count, long value) throws Exception {
        var bytes = sampleMemory(count, true);
        ObjectNode p = JSON.createObjectNode();
        p.put("t", secs()).put(count, value);
        if (bytes != null) {
            p.put("live_bytes", liveBytes(bytes));
            p.put("rss", bytes.path("rss").asLong());
            p.put("java_heap_used", bytes.path("java_heap_used").asLong());
        }
        MetricsText m = SoakCommand.scrape(http, metricsUri);
        if (m != null) {
            var entries = m.byLabel("relay_buffer_entries", "buffer");
            p.put("accounts_cached", Math.round(entries.getOrDefault("store_account_cache", 0.0)));
            p.put("identities_cached", Math.round(entries.getOrDefault("identity_cache", 0.0)));
            p.put("repo_states_cached", Math.round(entries.getOrDefault("store_repo_state_cache", 0.0)));
        }
        return p;
    }

    /** RSS with the Java heap counted as its used bytes (after the GC that preceded the sample). */
    private static long liveBytes(JsonNode bytes) {
        return bytes.path("rss").asLong() - bytes.path("java_heap").asLong() + bytes.path("java_heap_used").asLong();
    }

    private JsonNode sampleMemory(String phase, boolean gc) throws Exception {
        if (gc) forceGc();
        var owners = memory();
        if (owners == null) return null;
        var s = memorySamples.addObject().put("t", secs()).put("phase", phase)
                .put("java_heap_used", owners.path("java_heap_used").asLong());
        s.set("bytes", owners.get("owners"));
        ObjectNode flat = owners.get("owners").deepCopy();
        flat.put("rss", owners.path("rss").asLong());
        flat.put("java_heap_used", owners.path("java_heap_used").asLong());
        return flat;
    }

    /** /admin/memory: owners, rss, java_heap_used; null when it did not answer. */
    private ObjectNode memory() {
        try {
            var res = http.send(HttpRequest.newBuilder(memoryUri).header("Authorization", "Bearer " + adminToken)
                    .timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
            if (res.statusCode() != 200) return null;
            var report = JSON.readTree(res.body());
            ObjectNode o = JSON.createObjectNode();
            o.set("owners", report.path("owners").deepCopy());
            o.put("rss", report.path("rss_bytes").asLong());
            o.put("java_heap_used", report.path("details").path("java_heap_used").asLong());
            return o;
        } catch (IOException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    /**
     * Two full GCs: the second runs after the cleaners the first one triggered have freed their
     * native memory (direct buffers, closed sockets), which a single GC leaves counted in the
     * first sample after a phase and makes the next step look cheaper than it is.
     */
    private void forceGc() throws InterruptedException {
        String jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd").toString();
        for (int i = 0; i < 2; i++) {
            try {
                var p = new ProcessBuilder(jcmd, "" + relay.pid(), "GC.run").redirectErrorStream(true)
                        .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
                if (!p.waitFor(60, TimeUnit.SECONDS)) p.destroyForcibly();
            } catch (IOException e) {
                SoakCommand.err("soak[network]: jcmd GC.run failed (" + e.getMessage() + "): heap counted as is");
                return;
            }
            Thread.sleep(300);
        }
    }

    private JsonNode simStatus() {
        try {
            var res = http.send(HttpRequest.newBuilder(simStatus).timeout(Duration.ofSeconds(10)).build(),
                    HttpResponse.BodyHandlers.ofString());
            return res.statusCode() == 200 ? JSON.readTree(res.body()) : JSON.createObjectNode();
        } catch (IOException e) {
            return JSON.createObjectNode();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return JSON.createObjectNode();
        }
    }

    private void sampleSim() {
        var s = simStatus();
        if (s instanceof ObjectNode on) {
            on.put("t", secs());
            on.put("rss", SoakCommand.rssOf(sim.pid()));
            simSamples.add(on);
        }
    }

    private long connections() {
        var m = SoakCommand.scrape(http, metricsUri);
        return m == null ? 0 : Math.round(m.sum("relay_upstream_connections"));
    }

    private void waitConnections(int n, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        long last = -1;
        while (System.nanoTime() < deadline) {
            if (!relay.isAlive()) throw new IllegalStateException("the relay exited: see " + dir.resolve("relay.log"));
            long c = connections();
            if (c >= n) return;
            if (c != last) {
                last = c;
            }
            Thread.sleep(500);
        }
        SoakCommand.err("soak[network]: only " + last + " of " + n + " hosts connected after " + timeout.toSeconds()
                + " s; going on (the fit uses the count the relay reports)");
    }

    /** Admin crawl (public checks bypassed) of every host, 32 at a time. */
    private void crawl(List<String> hostnames, int port) throws Exception {
        var gate = new Semaphore(32);
        var pending = new ArrayList<CompletableFuture<?>>();
        URI uri = URI.create("http://127.0.0.1:" + port + "/admin/hosts/crawl");
        for (String h : hostnames) {
            gate.acquire();
            var req = HttpRequest.newBuilder(uri).header("Authorization", "Bearer " + adminToken)
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString("{\"hostname\":\"" + h + "\"}")).build();
            pending.add(http.sendAsync(req, HttpResponse.BodyHandlers.discarding())
                    .whenComplete((r, e) -> gate.release()));
        }
        CompletableFuture.allOf(pending.toArray(CompletableFuture[]::new)).exceptionally(e -> null).join();
    }

    /** Least-squares slope of live bytes over {@code count}, with r^2, and the relay's own gauge beside it. */
    private static ObjectNode fitted(ArrayNode points, String count, MetricsText gauges, String per) {
        double[] x = new double[points.size()], y = new double[points.size()];
        int n = 0;
        for (JsonNode p : points) {
            if (!p.has("live_bytes")) continue;
            x[n] = p.get(count).asDouble();
            y[n++] = p.get("live_bytes").asDouble();
        }
        ObjectNode o = JSON.createObjectNode();
        var fit = Fit.of(x, y, n);
        put(o, fit, n);
        o.put("by", "least squares of live bytes (RSS, heap as used after a full GC) over " + count);
        gauge(o, gauges, per);
        return o;
    }

    /** The r^2 from which a fit's slope is taken as a measure rather than noise. */
    static final double RESOLVED_R2 = 0.5;

    private static void put(ObjectNode o, Fit fit, int n) {
        if (Double.isFinite(fit.slope())) o.put("fitted", Math.round(fit.slope())); else o.putNull("fitted");
        if (Double.isFinite(fit.r2())) {
            o.put("r2", round(fit.r2()));
            // a small cost over a short range is lost in RSS noise (allocator arenas, RocksDB): its sign means nothing
            o.put("resolved", fit.r2() >= RESOLVED_R2);
        }
        o.put("points", n).put("range", fit.range());
    }

    private static void gauge(ObjectNode o, MetricsText gauges, String per) {
        if (gauges == null) return;
        var g = gauges.byLabel("relay_marginal_cost_bytes", "per").get(per);
        if (g != null) o.put("relay_gauge", Math.round(g)); else o.putNull("relay_gauge");
    }

    /**
     * Cached accounts from the account-phase points; uncached only when the account cache filled
     * (known accounts past its entries) so the two counts moved apart.
     */
    private static void accountCosts(ObjectNode costs, ArrayNode points, MetricsText gauges) {
        int n = 0;
        double[] known = new double[points.size()], cached = new double[points.size()], y = new double[points.size()];
        for (JsonNode p : points) {
            if (!p.has("live_bytes")) continue;
            known[n] = p.get("accounts_known").asDouble();
            cached[n] = Math.min(known[n], p.path("accounts_cached").asDouble());
            y[n++] = p.get("live_bytes").asDouble();
        }
        double[] uncached = new double[n];
        boolean uncachedMoves = false;
        for (int i = 0; i < n; i++) {
            uncached[i] = known[i] - cached[i];
            if (uncached[i] > 0) uncachedMoves = true;
        }
        ObjectNode c = costs.putObject("cached_account");
        ObjectNode u = costs.putObject("uncached_account");
        if (!uncachedMoves) {
            var fit = Fit.of(known, y, n);
            put(c, fit, n);
            c.put("by", "least squares of live bytes over the relay's cached accounts (store_account_cache "
                    + "entries) during traffic: includes what each new account's first frames leave behind");
            u.putNull("fitted");
            u.put("by", "not fitted: the relay exports no count of known accounts beside its account cache "
                    + "(200,000 entries), and no account fell out of it in this run");
        } else {
            var fit = Fit.of2(cached, uncached, y, n);
            put(c, new Fit(fit[0], Double.NaN, 0), n);
            put(u, new Fit(fit[1], Double.NaN, 0), n);
            c.put("by", "least squares of live bytes over (cached, uncached) accounts during traffic");
            u.put("by", c.get("by").asText());
        }
        gauge(c, gauges, "cached_account");
        gauge(u, gauges, "uncached_account");
    }

    /** A least-squares line, its fit and the x range it came from. */
    record Fit(double slope, double r2, double range) {
        static Fit of(double[] x, double[] y, int n) {
            double sx = 0, sy = 0, sxx = 0, sxy = 0, syy = 0;
            double min = Double.MAX_VALUE, max = -Double.MAX_VALUE;
            for (int i = 0; i < n; i++) {
                sx += x[i];
                sy += y[i];
                sxx += x[i] * x[i];
                sxy += x[i] * y[i];
                syy += y[i] * y[i];
                min = Math.min(min, x[i]);
                max = Math.max(max, x[i]);
            }
            double den = n * sxx - sx * sx;
            if (n < 2 || den == 0) return new Fit(Double.NaN, Double.NaN, 0);
            double slope = (n * sxy - sx * sy) / den;
            double vy = n * syy - sy * sy;
            double r2 = vy == 0 ? 1 : (n * sxy - sx * sy) * (n * sxy - sx * sy) / (den * vy);
            return new Fit(slope, r2, max - min);
        }

        /** y = a + b1 x1 + b2 x2 by the normal equations; returns {b1, b2}. */
        static double[] of2(double[] x1, double[] x2, double[] y, int n) {
            double m1 = 0, m2 = 0, my = 0;
            for (int i = 0; i < n; i++) {
                m1 += x1[i] / n;
                m2 += x2[i] / n;
                my += y[i] / n;
            }
            double s11 = 0, s22 = 0, s12 = 0, s1y = 0, s2y = 0;
            for (int i = 0; i < n; i++) {
                double a = x1[i] - m1, b = x2[i] - m2, c = y[i] - my;
                s11 += a * a;
                s22 += b * b;
                s12 += a * b;
                s1y += a * c;
                s2y += b * c;
            }
            double det = s11 * s22 - s12 * s12;
            if (det == 0) return new double[] {Double.NaN, Double.NaN};
            return new double[] {(s1y * s22 - s2y * s12) / det, (s2y * s11 - s1y * s12) / det};
        }
    }

    private static ObjectNode byLabel(MetricsText m, String metric) {
        ObjectNode o = JSON.createObjectNode();
        m.byLabel(metric, "reason").forEach((k, v) -> o.put(k, Math.round(v)));
        return o;
    }

    private static ObjectNode latencyJson(LatencyHistogram h) {
        ObjectNode lat = JSON.createObjectNode();
        lat.put("p50", h.quantileMillis(0.50)).put("p99", h.quantileMillis(0.99)).put("max", h.maxMillis())
                .put("measured", h.count());
        return lat;
    }

    /** utime + stime of a process in clock ticks (USER_HZ, 100 on Linux); 0 without /proc. */
    static long cpuTicks(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return Long.parseLong(f[11]) + Long.parseLong(f[12]);
        } catch (IOException | RuntimeException e) {
            return 0;
        }
    }

    private static String loadAverage() {
        try {
            return Files.readString(Path.of("/proc/loadavg")).strip();
        } catch (IOException e) {
            return "unknown";
        }
    }

    private static double round(double v) {
        return Double.isFinite(v) ? Math.round(v * 1000) / 1000.0 : v;
    }
}
