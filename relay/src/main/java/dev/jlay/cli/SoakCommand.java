package dev.jlay.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.jlay.sim.LatencyHistogram;
import dev.jlay.sim.MetricsText;
import dev.jlay.sim.RelayStatus;
import dev.jlay.sim.SoakConsumer;
import dev.jlay.sim.StageLatencies;
import dev.jlay.sim.WarmLatency;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code soak}: the simulator and the relay as two separate processes (this jar's
 * {@code simulate --hold} and {@code serve}), {@code C} consumers here, {@code N} frames at
 * {@code R} frames/s; a progress line every few seconds and a JSON report: throughput, latency
 * from the host's send to a consumer's receipt, drops by reason, the relay's RSS over time and
 * its growth per frame after warm-up, heap allocation per frame by stage (relay /metrics).
 */
@Command(name = "soak", mixinStandardHelpOptions = true,
        description = "Drive the relay with the simulated fleet (separate processes) and write a JSON report.")
public final class SoakCommand implements Callable<Integer> {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Option(names = "--hosts", defaultValue = "8", description = "Simulated PDS hosts (default ${DEFAULT-VALUE}).")
    int hosts;

    @Option(names = "--accounts", defaultValue = "0", description = "Accounts over all hosts (default: 16 per host).")
    int accounts;

    @Option(names = "--rate", defaultValue = "max", description = "Frames/s over all hosts, or 'max' (default ${DEFAULT-VALUE}).")
    String rate;

    @Option(names = "--consumers", defaultValue = "4", description = "Relay consumers (default ${DEFAULT-VALUE}).")
    int consumers;

    @Option(names = "--frames", defaultValue = "50000", description = "Events to drive (default ${DEFAULT-VALUE}).")
    long frames;

    @Option(names = "--warmup-frames", defaultValue = "-1", description = "Frames excluded from the headline "
            + "frames/s, latency, allocation and RSS slope (the whole-run figures are reported too; default: "
            + "a fifth of --frames, at most 1,000,000).")
    long warmupFrames;

    @Option(names = "--pregenerate", defaultValue = "-1",
            description = "Events the simulator signs before the clock starts (default: all of --frames, up to 1,000,000).")
    long pregenerate;

    @Option(names = "--p256-every", defaultValue = "2", description = "Every N-th simulated account has a P-256 "
            + "key, the others K-256 (default ${DEFAULT-VALUE}: half; 0: all K-256, as most of the real network).")
    int p256Every;

    @Option(names = "--report", required = true, description = "Where to write the JSON report.")
    Path report;

    @Option(names = "--relay-env", paramLabel = "RELAY_KEY=VALUE",
            description = "A relay setting for this run, as its environment variable (repeatable), "
                    + "e.g. RELAY_EVENTLOG_BLOCK_CACHE_BYTES=4MiB.")
    List<String> relayEnv = new ArrayList<>();

    @Option(names = "--relay-heap", defaultValue = "1g", description = "Relay -Xms and -Xmx (default ${DEFAULT-VALUE}).")
    String relayHeap;

    @Option(names = "--jfr", negatable = true, defaultValue = "true", fallbackValue = "true",
            description = "Relay runs its JFR stream and rolling recording (--no-jfr: off, to measure the cost).")
    boolean jfr;

    @Option(names = "--nmt", negatable = true, defaultValue = "true", fallbackValue = "true",
            description = "Relay runs with -XX:NativeMemoryTracking=summary (--no-nmt: off).")
    boolean nmt;

    @Option(names = "--meters", negatable = true, defaultValue = "true", fallbackValue = "true",
            description = "Relay's stage meters record (--no-meters: off).")
    boolean meters;

    @Option(names = "--progress-seconds", defaultValue = "5", description = "Progress line every N s.")
    int progressSeconds;

    /** How often the memory owners are read (the relay refreshes its own gauges as often). */
    static final int MEMORY_SAMPLE_SECONDS = 15;

    @Option(names = "--max-seconds", defaultValue = "0",
            description = "Stop after N s of driving and report what was measured (complete=false); 0 = no limit.")
    long maxSeconds;

    @Option(names = "--stall-seconds", defaultValue = "60", description = "Give up after N s without a frame.")
    int stallSeconds;

    @Option(names = "--database-url", description = "PostgreSQL JDBC URL for the relay (default: "
            + "$RELAY_DATABASE_URL, else the relay's embedded one).")
    String databaseUrl;

    @Option(names = "--work-dir", description = "Relay data and the children's logs (default: a new temporary dir, kept).")
    Path workDir;

    @Option(names = "--profile", defaultValue = "fleet", description = "fleet: the simulator's server per host, "
            + "driven by --frames (default); network: one listener for every host, skewed accounts, Zipf activity, "
            + "Poisson arrivals, run in phases (hosts, consumers, accounts, steady) for --duration-seconds of "
            + "traffic, with marginal costs fitted and a PNG chart beside the report. Network defaults: "
            + "--hosts 2750 --accounts 200000 --rate 700 --consumers 50.")
    String profile;

    @Option(names = "--duration-seconds", defaultValue = "300", description = "network: seconds of traffic.")
    long durationSeconds;

    @Option(names = "--host-steps", defaultValue = "4", description = "network: steps the small hosts are added in.")
    int hostSteps;

    @Option(names = "--consumer-steps", defaultValue = "4", description = "network: steps the consumers attach in.")
    int consumerSteps;

    @Option(names = "--memory-sample-seconds", defaultValue = "15", description = "network: memory sample interval.")
    int memorySampleSeconds;

    @Option(names = "--zipf", defaultValue = "0.8", description = "network: Zipf exponent of account activity.")
    double zipf;

    @Option(names = "--live-accounts", defaultValue = "20000",
            description = "network: accounts the simulator keeps a repository for at once.")
    int liveAccounts;

    @Option(names = "--burst-every", defaultValue = "0", description = "network: a large host replays a backlog every N s.")
    int burstEvery;

    @Option(names = "--burst-frames", defaultValue = "2000", description = "network: frames per burst.")
    int burstFrames;

    @Option(names = "--churn-every", defaultValue = "0",
            description = "network: a small host refuses, goes away, stalls or closes abruptly every N s.")
    int churnEvery;

    @Option(names = "--churn-seconds", defaultValue = "20", description = "network: how long churn lasts.")
    int churnSeconds;

    @Option(names = "--sim-heap", defaultValue = "3g", description = "network: the simulator's -Xmx.")
    String simHeap;

    @Option(names = "--chart", description = "network: the PNG (default: the report's name with .png).")
    Path chart;

    @Spec
    CommandSpec spec;

    private final List<Process> children = new ArrayList<>();

    @Override
    public Integer call() throws Exception {
        if (hosts < 1 || consumers < 1 || frames < 1) {
            throw new ParameterException(spec.commandLine(), "--hosts, --consumers and --frames must be at least 1");
        }
        boolean network = switch (profile) {
            case "fleet" -> false;
            case "network" -> true;
            default -> throw new ParameterException(spec.commandLine(), "--profile is fleet or network");
        };
        if (network) networkDefaults();
        QuietLogs.apply();
        Path dir = workDir != null ? Files.createDirectories(workDir) : Files.createTempDirectory("jlay-soak-");
        var hook = new Thread(this::stopChildren, "soak-stop");
        Runtime.getRuntime().addShutdownHook(hook);
        try (var http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build()) {
            return network ? new NetworkSoak(this, http, dir).run() : run(dir, http);
        } finally {
            stopChildren();
            Runtime.getRuntime().removeShutdownHook(hook);
        }
    }

    private int run(Path dir, HttpClient http) throws Exception {
        long pre = pregenerate >= 0 ? pregenerate : Math.min(frames, 1_000_000);
        int acc = accounts > 0 ? accounts : hosts * 16;
        err("soak: simulator: " + hosts + " hosts, " + acc + " accounts, signing " + pre + " events up front...");
        var sim = start(dir, "simulator", Map.of(), List.of(), List.of("simulate", "--hold", "--hosts", "" + hosts,
                "--accounts", "" + acc, "--rate", rate, "--frames", "" + frames, "--pregenerate", "" + pre,
                "--history-events", "200000", "--status-seconds", "0", "--p256-every", "" + p256Every));
        JsonNode fleet = firstJsonLine(sim, Duration.ofMinutes(20));
        String plc = fleet.get("plc").asText();
        var hostList = new ArrayList<String>();
        fleet.get("hosts").forEach(h -> hostList.add(h.asText()));

        int port = freePort(), metricsPort = freePort();
        String adminToken = "soak-" + Long.toHexString(System.nanoTime());
        var env = new java.util.HashMap<>(FleetStartup.relaySettings(plc, hostList, dir.resolve("relay"), "127.0.0.1",
                port, metricsPort));
        env.put("RELAY_ADMIN_TOKEN", adminToken);
        if (databaseUrl != null) env.put("RELAY_DATABASE_URL", databaseUrl);
        for (String setting : relayEnv) {
            int eq = setting.indexOf('=');
            if (!setting.startsWith("RELAY_") || eq < 0) {
                throw new IllegalArgumentException("--relay-env takes RELAY_KEY=VALUE, not " + setting);
            }
            env.put(setting.substring(0, eq), setting.substring(eq + 1));
        }
        env.put("RELAY_MEMORY_JFR", "" + jfr);
        env.put("RELAY_MEMORY_STAGE_METERS", "" + meters);
        // the appliance's memory flags (appliance/bin/jlay-relay), so RSS here is what an operator's
        // would do: a fixed, pre-touched heap (its growth is never heap resizing) and two malloc arenas
        env.put("MALLOC_ARENA_MAX", "2");
        var relayFlags = new ArrayList<>(List.of("-Xms" + relayHeap, "-Xmx" + relayHeap, "-XX:+AlwaysPreTouch",
                "-XX:+UseG1GC", "-XX:MaxGCPauseMillis=100", "-XX:MaxMetaspaceSize=256m",
                "-XX:MaxDirectMemorySize=512m", "-XX:ReservedCodeCacheSize=240m", "-Djdk.httpclient.bufsize=8192"));
        if (nmt) relayFlags.add("-XX:NativeMemoryTracking=summary");
        err("soak: relay on 127.0.0.1:" + port + " (metrics " + metricsPort + "), data in " + dir.resolve("relay"));
        err("soak: relay JVM (the appliance's memory flags): " + String.join(" ", relayFlags) + ", MALLOC_ARENA_MAX=2");
        err("soak: relay instrumentation: meters " + onOff(meters) + ", JFR " + onOff(jfr) + ", NMT " + onOff(nmt));
        var relay = start(dir, "relay", env, relayFlags, List.of("serve"));
        URI metricsUri = URI.create("http://127.0.0.1:" + metricsPort + "/metrics");
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(10); // embedded PostgreSQL start-up on a loaded machine
        while (true) {
            if (!relay.isAlive()) throw new IllegalStateException("the relay exited: see " + dir.resolve("relay.log"));
            var m = scrape(http, metricsUri);
            if (m != null && m.sum("relay_upstream_connections") >= hosts) break;
            if (System.nanoTime() > deadline) throw new IllegalStateException("the relay did not connect to every host");
            Thread.sleep(250);
        }

        long warmup = warmupFrames >= 0 ? Math.min(warmupFrames, frames - 1) : Math.min(frames / 5, 1_000_000);
        var latency = new WarmLatency(warmup);
        var cs = new ArrayList<SoakConsumer>();
        for (int i = 0; i < consumers; i++) cs.add(SoakConsumer.connect(http, "127.0.0.1", port, i == 0 ? latency : null));
        MetricsText before = scrape(http, metricsUri);
        http.send(HttpRequest.newBuilder(URI.create(plc + "/_sim/start")).POST(HttpRequest.BodyPublishers.noBody())
                .build(), HttpResponse.BodyHandlers.discarding());
        err("soak: " + consumers + " consumers attached; driving " + frames + " events at " + rate
                + " frames/s; the first " + warmup + " are warm-up");

        long t0 = System.nanoTime();
        var samples = JSON.createArrayNode();
        var memorySamples = JSON.createArrayNode();
        URI memoryUri = URI.create("http://127.0.0.1:" + port + "/admin/memory");
        long lastProgress = t0, lastFrames = 0, lastChange = t0, lastMemory = t0, done;
        long warmAt = -1, warmDone = 0;
        MetricsText atWarm = null;
        boolean complete;
        while (true) {
            Thread.sleep(1000);
            long now = System.nanoTime();
            done = minFrames(cs);
            double t = (now - t0) / 1e9;
            long rss = rssOf(relay.pid());
            samples.addObject().put("t", round(t)).put("frames", done).put("rss", rss);
            if (warmAt < 0 && done >= warmup) {
                // the mark: headline figures count from here (the scrape is as close to it as a second allows)
                warmAt = now;
                warmDone = done;
                atWarm = scrape(http, metricsUri);
                err(String.format("soak: warm-up over at %.0f s (%d frames)", t, done));
            }
            if (now - lastMemory >= TimeUnit.SECONDS.toNanos(MEMORY_SAMPLE_SECONDS)) {
                lastMemory = now;
                var owners = memoryOwners(http, memoryUri, adminToken);
                if (owners != null) memorySamples.addObject().put("frames", done).set("bytes", owners);
            }
            if (done != lastFrames) {
                lastChange = now;
                lastFrames = done;
            }
            if (now - lastProgress >= TimeUnit.SECONDS.toNanos(progressSeconds)) {
                lastProgress = now;
                var shown = warmAt >= 0 ? latency.afterWarmup() : latency.wholeRun();
                err(String.format("soak: %.0f s | %d/%d frames | %.0f frames/s | p99 %.1f ms%s | rss %d MiB", t,
                        done, frames, done / t, shown.quantileMillis(0.99), warmAt >= 0 ? " (warm)" : " (cold)",
                        rss >> 20));
            }
            complete = done >= frames;
            boolean outOfTime = maxSeconds > 0 && now - t0 > TimeUnit.SECONDS.toNanos(maxSeconds);
            // a consumer the relay hung up on never catches up: say so now rather than wait for the stall guard
            String cut = disconnected(cs);
            if (cut != null) err("soak: " + cut);
            if (complete || outOfTime || cut != null || !relay.isAlive()
                    || now - lastChange > TimeUnit.SECONDS.toNanos(stallSeconds)) {
                break;
            }
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        MetricsText after = scrape(http, metricsUri);

        boolean warmed = warmAt >= 0 && done > warmDone;
        long steadyFrames = warmed ? done - warmDone : done;
        double steadySeconds = warmed ? (System.nanoTime() - warmAt) / 1e9 : seconds;
        // latency splits by the consumer's own frame count, so it needs no time mark
        LatencyHistogram headline = latency.afterWarmup().count() > 0 ? latency.afterWarmup() : latency.wholeRun();

        ObjectNode out = JSON.createObjectNode();
        out.put("command", "scripts/run " + String.join(" ", spec.commandLine().getParent() != null
                ? spec.commandLine().getParent().getParseResult().originalArgs()
                : spec.commandLine().getParseResult().originalArgs()));
        out.put("complete", complete);
        out.put("hosts", hosts).put("accounts", acc).put("rate", rate).put("consumers", consumers);
        out.putObject("instrumentation").put("meters", meters).put("jfr", jfr).put("nmt", nmt);
        out.put("frames", done).put("seconds", round(seconds));
        ObjectNode w = out.putObject("warmup");
        w.put("frames", warmed ? warmDone : 0).put("seconds", warmed ? round((warmAt - t0) / 1e9) : 0)
                .put("excluded", warmed);
        out.put("measured_frames", steadyFrames).put("measured_seconds", round(steadySeconds));
        out.put("frames_per_second", Math.round(steadyFrames / steadySeconds));
        out.set("latency_ms", latencyJson(headline));
        ObjectNode drops = out.putObject("drops");
        if (after != null) RelayStatus.drops(after).forEach(drops::put);
        ObjectNode consumerChecks = out.putObject("consumers_check");
        consumerChecks.put("seq_backwards", cs.stream().mapToLong(SoakConsumer::backwards).sum());
        consumerChecks.put("seq_gaps", cs.stream().mapToLong(SoakConsumer::gaps).sum());
        consumerChecks.put("min_frames", minFrames(cs));
        consumerChecks.put("disconnected", disconnected(cs));
        out.set("rss_bytes", samples);
        out.put("rss_growth_bytes_per_frame", round(slopeFrom(samples, warmed ? warmDone : (long) (0.2 * done))));
        out.set("alloc_bytes_per_frame", allocation(warmed ? atWarm : before, after, steadyFrames));
        out.set("stage_latency_ms", stageLatency(warmed ? atWarm : before, after));
        out.set("memory_growth_bytes_per_frame", ownerGrowth(warmed ? atWarm : before, after, steadyFrames));
        // the same owners as least-squares slopes over a sample every 15 s: two single readings can
        // land anywhere in a memtable's fill, a slope over hundreds cannot
        out.set("memory_slope_bytes_per_frame", ownerSlopes(memorySamples, warmed ? warmDone : (long) (0.2 * done)));
        out.set("memory_samples", memorySamples);
        // the JVM's own malloc split by NMT category (empty without --nmt): which part of malloc_jvm grows
        out.set("nmt_growth_bytes_per_frame", growth(warmed ? atWarm : before, after, steadyFrames,
                "relay_nmt_committed_bytes", "category"));
        ObjectNode whole = out.putObject("whole_run");
        whole.put("frames", done).put("seconds", round(seconds)).put("frames_per_second", Math.round(done / seconds));
        whole.set("latency_ms", latencyJson(latency.wholeRun()));
        whole.put("rss_growth_bytes_per_frame", round(slopeFrom(samples, 0)));
        whole.set("alloc_bytes_per_frame", allocation(before, after, done));
        Files.writeString(report, JSON.writerWithDefaultPrettyPrinter().writeValueAsString(out) + "\n");
        err("soak: " + (complete ? "done" : "INCOMPLETE") + ": " + done + " frames in " + round(seconds) + " s"
                + " (whole run " + Math.round(done / seconds) + "/s, p99 " + latency.wholeRun().quantileMillis(0.99)
                + " ms); after " + (warmed ? warmDone : 0) + " warm-up frames: " + Math.round(steadyFrames / steadySeconds)
                + "/s, p50 " + headline.quantileMillis(0.5) + " ms, p99 " + headline.quantileMillis(0.99)
                + " ms; drops " + drops + "; report " + report);
        cs.forEach(SoakConsumer::close);
        return complete ? 0 : 1;
    }

    /** The network profile's shape where the command line does not say otherwise. */
    private void networkDefaults() {
        var parsed = spec.commandLine().getParseResult();
        if (!parsed.hasMatchedOption("--hosts")) hosts = 2750;
        if (!parsed.hasMatchedOption("--accounts")) accounts = 200_000;
        if (!parsed.hasMatchedOption("--rate")) rate = "700";
        if (!parsed.hasMatchedOption("--consumers")) consumers = 50;
        if (accounts <= 0) accounts = hosts * 20;
        if (accounts < hosts) throw new ParameterException(spec.commandLine(), "--accounts must be at least --hosts");
        if (durationSeconds < 4) throw new ParameterException(spec.commandLine(), "--duration-seconds must be at least 4");
    }

    /** The command as typed, for the report. */
    String commandLine() {
        return "scripts/run " + String.join(" ", spec.commandLine().getParent() != null
                ? spec.commandLine().getParent().getParseResult().originalArgs()
                : spec.commandLine().getParseResult().originalArgs());
    }

    /** Which consumers the relay closed, and why; null while all are connected. */
    static String disconnected(List<SoakConsumer> cs) {
        var out = new StringBuilder();
        for (int i = 0; i < cs.size(); i++) {
            String why = cs.get(i).closedReason();
            if (why != null) out.append(out.isEmpty() ? "" : "; ").append("consumer ").append(i).append(" disconnected: ").append(why);
        }
        return out.isEmpty() ? null : out.toString();
    }

    /** Heap bytes per frame by stage (exact on platform threads), and their sum, over the run. */
    static ObjectNode allocation(MetricsText before, MetricsText after, long frames) {
        ObjectNode o = JSON.createObjectNode();
        if (before == null || after == null || frames == 0) return o;
        var b = before.byLabel("relay_stage_allocated_bytes_total", "stage");
        var a = after.byLabel("relay_stage_allocated_bytes_total", "stage");
        ObjectNode by = o.putObject("by_stage");
        double total = 0;
        for (var e : a.entrySet()) {
            double d = e.getValue() - b.getOrDefault(e.getKey(), 0.0);
            if (d <= 0) continue;
            by.put(e.getKey(), Math.round(d / frames));
            total += d;
        }
        o.put("metered_stages_total", Math.round(total / frames));
        double sampled = after.sum("relay_jvm_allocation_sampled_bytes_total")
                - before.sum("relay_jvm_allocation_sampled_bytes_total");
        if (sampled > 0) o.put("jfr_sampled_total", Math.round(sampled / frames));
        return o;
    }

    static ObjectNode latencyJson(LatencyHistogram h) {
        ObjectNode lat = JSON.createObjectNode();
        lat.put("p50", h.quantileMillis(0.50)).put("p99", h.quantileMillis(0.99)).put("max", h.maxMillis())
                .put("measured", h.count());
        return lat;
    }

    /**
     * Growth of each RSS owner ({@code relay_memory_bytes{owner}}, refreshed by the relay every
     * 15 s) per frame between two scrapes: which owner a rising RSS belongs to.
     */
    static ObjectNode ownerGrowth(MetricsText before, MetricsText after, long frames) {
        return growth(before, after, frames, "relay_memory_bytes", "owner");
    }

    /** Per label value of gauge {@code metric}: its change between the scrapes, per frame. */
    static ObjectNode growth(MetricsText before, MetricsText after, long frames, String metric, String label) {
        ObjectNode o = JSON.createObjectNode();
        if (before == null || after == null || frames == 0) return o;
        var b = before.byLabel(metric, label);
        after.byLabel(metric, label).forEach((value, v) -> {
            if (b.containsKey(value)) o.put(value, round((v - b.get(value)) / frames));
        });
        return o;
    }

    /** p50/p99 per relay stage over the window, from its {@code relay_stage_latency_seconds} buckets. */
    static ObjectNode stageLatency(MetricsText before, MetricsText after) {
        ObjectNode o = JSON.createObjectNode();
        StageLatencies.between(before, after).forEach((stage, w) -> {
            var s = o.putObject(stage).put("events", w.events());
            // past the last bucket bound: JSON has no Infinity, so say it in words
            if (Double.isFinite(w.p50Millis())) s.put("p50_le", w.p50Millis()); else s.put("p50_le", "+Inf");
            if (Double.isFinite(w.p99Millis())) s.put("p99_le", w.p99Millis()); else s.put("p99_le", "+Inf");
        });
        return o;
    }

    /** Per owner (and RocksDB part) in {@code samples}: its least-squares slope per frame from {@code fromFrames}. */
    static ObjectNode ownerSlopes(ArrayNode samples, long fromFrames) {
        var names = new java.util.LinkedHashSet<String>();
        samples.forEach(s -> s.get("bytes").fieldNames().forEachRemaining(names::add));
        ObjectNode o = JSON.createObjectNode();
        for (var name : names) {
            o.put(name, round(slopeFrom(samples, fromFrames, s -> s.get("bytes").path(name))));
        }
        return o;
    }

    /** /admin/memory's owners and the RocksDB parts of its details, or null when it did not answer. */
    static ObjectNode memoryOwners(HttpClient http, URI uri, String token) {
        try {
            var res = http.send(HttpRequest.newBuilder(uri).header("Authorization", "Bearer " + token)
                    .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
            if (res.statusCode() != 200) return null;
            var report = JSON.readTree(res.body());
            ObjectNode bytes = JSON.createObjectNode();
            report.path("owners").properties().forEach(e -> bytes.put(e.getKey(), e.getValue().asLong()));
            report.path("details").properties().forEach(e -> {
                if (e.getKey().startsWith("rocksdb_")) bytes.put(e.getKey(), e.getValue().asLong());
            });
            return bytes;
        } catch (IOException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    /** Least-squares slope of rss over frames, over the samples at or past {@code fromFrames}. */
    static double slopeFrom(ArrayNode samples, long fromFrames) {
        return slopeFrom(samples, fromFrames, s -> s.get("rss"));
    }

    static double slopeFrom(ArrayNode samples, long fromFrames, java.util.function.Function<JsonNode, JsonNode> value) {
        double n = 0, sx = 0, sy = 0, sxx = 0, sxy = 0;
        for (JsonNode s : samples) {
            JsonNode v = value.apply(s);
            if (v == null || v.isMissingNode()) continue;
            double x = s.get("frames").asDouble(), y = v.asDouble();
            if (x < fromFrames) continue;
            n++;
            sx += x;
            sy += y;
            sxx += x * x;
            sxy += x * y;
        }
        double den = n * sxx - sx * sx;
        return n < 2 || den == 0 ? 0 : (n * sxy - sx * sy) / den;
    }

    static long minFrames(List<SoakConsumer> cs) {
        return cs.stream().mapToLong(SoakConsumer::frames).min().orElse(0);
    }

    static double round(double v) {
        return Math.round(v * 1000) / 1000.0;
    }

    Process start(Path dir, String name, Map<String, String> env, List<String> jvmFlags, List<String> args)
            throws IOException {
        var cmd = new ArrayList<String>();
        cmd.add(ProcessHandle.current().info().command().orElse("java"));
        cmd.add("--enable-native-access=ALL-UNNAMED");
        cmd.addAll(jvmFlags);
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add("dev.jlay.Main");
        cmd.addAll(args);
        var pb = new ProcessBuilder(cmd).redirectError(dir.resolve(name + ".log").toFile());
        pb.environment().keySet().removeIf(k -> k.startsWith("RELAY_") && !k.equals("RELAY_DATABASE_URL"));
        pb.environment().putAll(env);
        if (!name.equals("simulator")) pb.redirectOutput(dir.resolve(name + ".out").toFile());
        Process p = pb.start();
        synchronized (children) {
            children.add(p);
        }
        return p;
    }

    static JsonNode firstJsonLine(Process p, Duration timeout) throws Exception {
        var reader = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        var line = CompletableFuture.supplyAsync(() -> {
            try {
                return reader.readLine();
            } catch (IOException e) {
                return null;
            }
        });
        String s = line.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        if (s == null) throw new IllegalStateException("the simulator exited before describing itself");
        // keep draining so the child never blocks on a full pipe
        Thread.ofVirtual().start(() -> {
            try {
                while (reader.readLine() != null) {
                    // discard
                }
            } catch (IOException ignored) {
                // child gone
            }
        });
        return JSON.readTree(s);
    }

    static MetricsText scrape(HttpClient http, URI uri) {
        try {
            var res = http.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10)).build(),
                    HttpResponse.BodyHandlers.ofString());
            return res.statusCode() == 200 ? MetricsText.parse(res.body()) : null;
        } catch (IOException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    /** VmRSS of a process, from /proc (0 where there is no /proc). */
    static long rssOf(long pid) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
                }
            }
        } catch (IOException | NumberFormatException e) {
            // gone or not Linux
        }
        return 0;
    }

    static int freePort() throws IOException {
        try (var s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    private void stopChildren() {
        List<Process> ps;
        synchronized (children) {
            ps = List.copyOf(children);
        }
        // relay first (it stops reading hosts), then the simulator
        for (int i = ps.size() - 1; i >= 0; i--) {
            Process p = ps.get(i);
            if (!p.isAlive()) continue;
            p.destroy();
            try {
                if (!p.waitFor(30, TimeUnit.SECONDS)) p.destroyForcibly();
            } catch (InterruptedException e) {
                p.destroyForcibly();
                Thread.currentThread().interrupt();
            }
        }
    }

    static String onOff(boolean b) {
        return b ? "on" : "off";
    }

    static void err(String s) {
        System.err.println(s);
    }
}
