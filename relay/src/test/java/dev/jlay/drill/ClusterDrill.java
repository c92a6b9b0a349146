package dev.jlay.drill;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.jlay.kafka.FrameHeaders;
import dev.jlay.sim.LatencyHistogram;
import dev.jlay.sim.MetricsText;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.BooleanSupplier;
import java.util.regex.Pattern;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The cluster of issue 18 as separate hosts: three Kafka brokers (a KRaft quorum of three combined
 * nodes, the topic with one partition, replication factor 3, min.insync.replicas 2), one primary
 * (with its simulated PDS fleet and its PostgreSQL on the same host) and two edges, each in its own
 * network namespace on a private bridge ({@code scripts/cluster-net}). The drill's JVM is the
 * consumers' side of the bridge: consumers of the primary (the first is the reference) and consumers
 * split across the two edges, all from cursor 0, each reconnecting with its cursor when its
 * connection ends (to the other edge first). Under the simulator's steady load it kills a broker
 * (the partition's leader), an edge and the primary with SIGKILL, cuts an edge off from the
 * brokers for a while, and measures the primary's catch-up with publishing on and off. At the end
 * every consumer has every seq from 1 to the primary's last exactly once, with the same bytes as
 * every other consumer, and so has the topic.
 *
 * <p>Root only (namespaces, veths, a bridge): run it with {@code scripts/drill cluster}.
 */
@Tag("drill")
class ClusterDrill {
    private static final String TOPIC = "atproto-firehose";
    private static final String PREFIX = "10.77.0.";
    private static final String BROKERS = "10.77.0.11:9092,10.77.0.12:9092,10.77.0.13:9092";
    private static final String PRIMARY = "10.77.0.20";
    private static final List<String> EDGES = List.of("10.77.0.21", "10.77.0.22");
    private static final Pattern SERVING = Pattern.compile("jlay: serving on [^:]+:(\\d+)");
    private static final Pattern SIM_READY = Pattern.compile("^(\\{.*\"plc\".*)$");
    private static final Duration START = Duration.ofMinutes(4);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path root = findRoot();
    private final Path work = Path.of("/tmp", "jlay-cluster-drill-" + ProcessHandle.current().pid());
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final List<NetnsProcess> running = new ArrayList<>();
    private final DrillReport report = new DrillReport("cluster");
    private final double rate = DrillReport.param("rate", 150);
    private Map<String, String> primaryEnv;
    private NetnsProcess primary;
    private final NetnsProcess[] edges = new NetnsProcess[2];

    @Test
    void theClusterLosesNothingThroughBrokerEdgeAndPrimaryCrashesAndAPartition() throws Exception {
        int edgeConsumers = (int) DrillReport.param("consumers", 60);
        int directConsumers = (int) DrillReport.param("direct", 4);
        int hosts = (int) DrillReport.param("hosts", 4);
        long steadySeconds = DrillReport.param("steady-seconds", 60);
        long faultSeconds = DrillReport.param("fault-seconds", 30);
        long partitionSeconds = DrillReport.param("partition-seconds", 60);
        long primaryDownSeconds = DrillReport.param("primary-down-seconds", 40);
        report.put("rate_per_second", rate).put("edge_consumers", edgeConsumers).put("direct_consumers", directConsumers)
                .put("hosts", hosts).put("load_at_start", uptime());
        long started = System.nanoTime();
        var ledger = new ClusterConsumer.Ledger();
        var consumers = new ArrayList<ClusterConsumer>();
        try {
            Files.createDirectories(work);
            net("up");
            net("check");
            // the primary's host: its PostgreSQL, the simulated PDS fleet it crawls (on its loopback), the relay
            String database = NetnsProcess.run(List.of("ip", "netns", "exec", "jlay-primary",
                    root.resolve("scripts/dev-postgres").toString(), "start", work.resolve("pg").toString()),
                    Map.of(), Duration.ofMinutes(2));
            startBrokers();
            var sim = start("jlay-primary", "simulator", List.of("-Xmx768m"), List.of("simulate", "--hosts", "" + hosts,
                    "--accounts", "" + hosts * 16, "--rate", "" + rate, "--history-events", "200000",
                    "--status-seconds", "5"), Map.of(), SIM_READY);
            var fleet = JSON.readTree(sim.ready().group(1));
            var hostnames = new ArrayList<String>();
            fleet.get("hosts").forEach(h -> hostnames.add(h.asText()));
            primaryEnv = new HashMap<>(Map.of("RELAY_DATA_DIR", work.resolve("primary").toString(),
                    "RELAY_DATABASE_URL", database, "RELAY_HOST", PRIMARY, "RELAY_PORT", "2470",
                    "RELAY_METRICS_PORT", "2471", "RELAY_PLC_URL", fleet.get("plc").asText(),
                    "RELAY_ALLOW_INSECURE_HOSTS", "true", "RELAY_UPSTREAM_HOSTS", String.join(",", hostnames),
                    "RELAY_ADMIN_TOKEN", "cluster-drill"));
            primaryEnv.put("RELAY_KAFKA_REPLICATION_FACTOR", "3");
            startPrimary(true);
            waitFor("the primary's topic", Duration.ofMinutes(2), () -> endOffset() > 0);
            for (int i = 0; i < 2; i++) startEdge(i);
            Thread.sleep(5_000);
            long[] rssBefore = {edges[0].rssBytes(), edges[1].rssBytes()};

            var edgeEndpoints = EDGES.stream().map(a -> a + ":2470").toList();
            var reference = new ClusterConsumer("direct-0", http, List.of(PRIMARY + ":2470"), 0, ledger).open(0);
            consumers.add(reference);
            for (int i = 1; i < directConsumers; i++) {
                consumers.add(new ClusterConsumer("direct-" + i, http, List.of(PRIMARY + ":2470"), 0, ledger).open(0));
            }
            var onEdges = new ArrayList<ClusterConsumer>();
            for (int i = 0; i < edgeConsumers; i++) {
                onEdges.add(new ClusterConsumer("edge-" + i, http, edgeEndpoints, i % 2, ledger).open(0));
            }
            var direct = List.copyOf(consumers);
            consumers.addAll(onEdges);

            // 1. steady: latency direct vs through an edge, memory per edge consumer
            // every consumer caught up from cursor 0 (the edges replay it from the topic), JIT warm
            waitFor("every consumer live (within a second of the primary's consumer)", Duration.ofMinutes(5),
                    () -> minSeq(consumers) >= reference.lastSeq() - (long) rate);
            Thread.sleep(10_000);
            var directLatency = new LatencyHistogram();
            var edgeLatency = new LatencyHistogram();
            direct.forEach(c -> c.measure(directLatency));
            onEdges.forEach(c -> c.measure(edgeLatency));
            long steadyFrom = reference.lastSeq();
            Thread.sleep(steadySeconds * 1000);
            consumers.forEach(c -> c.measure(null));
            long[] rssAfter = {edges[0].rssBytes(), edges[1].rssBytes()};
            var steady = new LinkedHashMap<String, Object>();
            steady.put("load", uptime());
            steady.put("seqs", reference.lastSeq() - steadyFrom);
            steady.put("frames_per_second", round((reference.lastSeq() - steadyFrom) / (double) steadySeconds));
            steady.put("direct_p50_ms", round(directLatency.quantileMillis(0.5)));
            steady.put("direct_p99_ms", round(directLatency.quantileMillis(0.99)));
            steady.put("edge_p50_ms", round(edgeLatency.quantileMillis(0.5)));
            steady.put("edge_p99_ms", round(edgeLatency.quantileMillis(0.99)));
            steady.put("edge_added_p99_ms", round(edgeLatency.quantileMillis(0.99) - directLatency.quantileMillis(0.99)));
            steady.put("edge_rss_before_consumers_mib", List.of(rssBefore[0] >> 20, rssBefore[1] >> 20));
            steady.put("edge_rss_with_consumers_mib", List.of(rssAfter[0] >> 20, rssAfter[1] >> 20));
            steady.put("edge_rss_growth_per_consumer_kib_incl_ring_filling",
                    (rssAfter[0] + rssAfter[1] - rssBefore[0] - rssBefore[1]) / 1024 / Math.max(1, edgeConsumers));
            report.put("steady", steady);
            checkClean(consumers, ledger, "steady");

            // 2. kill -9 of the partition's leader: consumers keep going, the topic stays complete
            int leader = leader();
            var brokerFault = new LinkedHashMap<String, Object>();
            brokerFault.put("killed_broker", leader);
            long before = minSeq(onEdges);
            NetnsProcess.run(List.of(root.resolve("scripts/kafka").toString(), "kill", brokerDir(leader).toString()),
                    Map.of(), Duration.ofMinutes(1));
            Thread.sleep(faultSeconds * 1000);
            brokerFault.put("edge_consumers_min_seq_advance_while_down", minSeq(onEdges) - before);
            brokerFault.put("new_leader", leader());
            assertThat(minSeq(onEdges)).as("every edge consumer goes on while broker %d is dead", leader)
                    .isGreaterThan(before + (long) (rate * faultSeconds / 3));
            NetnsProcess.run(List.of(root.resolve("scripts/kafka").toString(), "start", brokerDir(leader).toString()),
                    Map.of(), START);
            brokerFault.put("load", uptime());
            report.put("broker_kill", brokerFault);
            checkClean(consumers, ledger, "broker kill");

            // 3. kill -9 of an edge: its consumers go to the other with their cursor
            var edgeFault = new LinkedHashMap<String, Object>();
            var ofEdge1 = onEdges.stream().filter(c -> c.endpoint().startsWith(EDGES.get(0))).toList();
            long reconnectsBefore = ofEdge1.stream().mapToLong(ClusterConsumer::reconnects).sum();
            long killedAt = System.nanoTime();
            long seqAtKill = reference.lastSeq();
            edges[0].kill9();
            waitFor("edge 1's consumers on edge 2, past seq " + seqAtKill, Duration.ofMinutes(2),
                    () -> ofEdge1.stream().allMatch(c -> c.endpoint().startsWith(EDGES.get(1)) && c.lastSeq() > seqAtKill));
            edgeFault.put("consumers_moved", ofEdge1.size());
            edgeFault.put("seconds_until_all_past_the_kill", round((System.nanoTime() - killedAt) / 1e9));
            edgeFault.put("reconnects", ofEdge1.stream().mapToLong(ClusterConsumer::reconnects).sum() - reconnectsBefore);
            startEdge(0);
            edgeFault.put("load", uptime());
            report.put("edge_kill", edgeFault);
            checkClean(consumers, ledger, "edge kill");

            // 4. the edge holding every consumer now, cut off from the brokers; it catches up afterwards
            var partition = new LinkedHashMap<String, Object>();
            long edgeSeqAtCut = minSeq(onEdges);
            net("partition", "jlay-edge2");
            long cutAt = System.nanoTime();
            try {
                Thread.sleep(partitionSeconds * 1000);
                partition.put("edge2_behind_the_primary_at_heal_seqs", reference.lastSeq() - (long) edgeMetric(1, "relay_seq"));
                partition.put("edge_consumers_min_seq_advance_while_cut", minSeq(onEdges) - edgeSeqAtCut);
            } finally {
                net("heal", "jlay-edge2");
            }
            long healedAt = System.nanoTime();
            long seqAtHeal = reference.lastSeq();
            waitFor("edge consumers past seq " + seqAtHeal + " after the partition", Duration.ofMinutes(3),
                    () -> minSeq(onEdges) >= seqAtHeal);
            partition.put("seconds", round((healedAt - cutAt) / 1e9));
            partition.put("seconds_to_catch_up_after_heal", round((System.nanoTime() - healedAt) / 1e9));
            partition.put("load", uptime());
            report.put("edge_partition", partition);
            checkClean(consumers, ledger, "partition");

            // memory per consumer: edge 2 (every edge consumer now) against edge 1 (restarted, none), at one
            // moment, same flags (fixed pre-touched heap), both rings full of the same topic
            var memory = new LinkedHashMap<String, Object>();
            long heap1 = heapAfterFullGc(edges[0]), heap2 = heapAfterFullGc(edges[1]);
            long rss1 = edges[0].rssBytes(), rss2 = edges[1].rssBytes();
            long on2 = onEdges.stream().filter(c -> c.endpoint().startsWith(EDGES.get(1))).count();
            memory.put("consumers_on_edge1", onEdges.size() - on2);
            memory.put("consumers_on_edge2", on2);
            memory.put("edge1_heap_after_full_gc_mib", heap1 >> 20);
            memory.put("edge2_heap_after_full_gc_mib", heap2 >> 20);
            memory.put("edge1_rss_mib", rss1 >> 20);
            memory.put("edge2_rss_mib", rss2 >> 20);
            memory.put("heap_per_consumer_kib", (heap2 - heap1) / 1024 / Math.max(1, on2 - (onEdges.size() - on2)));
            memory.put("rss_per_consumer_kib", (rss2 - rss1) / 1024 / Math.max(1, on2 - (onEdges.size() - on2)));
            memory.put("load", uptime());
            report.put("edge_memory", memory);

            // 5. kill -9 of the primary, restarted publishing (its catch-up: throughput with publishing on)
            var withKafka = primaryKillAndCatchUp(primaryDownSeconds, true, onEdges, reference);
            report.put("primary_kill_publishing_on", withKafka);
            checkClean(consumers, ledger, "primary kill");
            // 6. the same with publishing off; then on again, and the edges catch up
            var withoutKafka = primaryKillAndCatchUp(primaryDownSeconds, false, onEdges, reference);
            report.put("primary_kill_publishing_off", withoutKafka);
            primary.kill9();
            startPrimary(true);
            long seqNow = primarySeq();
            waitFor("edge consumers past seq " + seqNow + " once publishing is back", Duration.ofMinutes(3),
                    () -> minSeq(onEdges) >= seqNow);
            var throughput = new LinkedHashMap<String, Object>();
            double on = (double) withKafka.get("catch_up_frames_per_second");
            double off = (double) withoutKafka.get("catch_up_frames_per_second");
            throughput.put("catch_up_ratio_on_over_off", round(on / off));
            throughput.put("live_cpu_per_frame_ratio_off_over_on", round((double) withoutKafka.get("live_cpu_ms_per_frame")
                    / (double) withKafka.get("live_cpu_ms_per_frame")));
            report.put("primary_throughput", throughput);

            // the end: the simulator stops; every consumer and the topic hold 1..last exactly once, the same bytes
            sim.close();
            long last = settledSeq();
            waitFor("every consumer at seq " + last, Duration.ofMinutes(3),
                    () -> consumers.stream().allMatch(c -> c.lastSeq() >= last));
            Thread.sleep(2_000); // nothing more, nothing twice
            checkClean(consumers, ledger, "end");
            assertThat(consumers).allMatch(c -> c.lastSeq() == last, "every consumer at the primary's last seq");
            for (long s = 1; s <= last; s++) assertThat(ledger.digest(s)).as("seq %d seen", s).isNotNull();
            var topic = checkTopic(ledger, last);
            report.put("final", Map.of("last_seq", last, "consumers", consumers.size(),
                    "reconnects", consumers.stream().mapToLong(ClusterConsumer::reconnects).sum(),
                    "error_frames", consumers.stream().mapToLong(ClusterConsumer::errorFrames).sum(),
                    "gaps", 0, "repeats", 0, "byte_mismatches", 0, "topic", topic));
            report.put("reconnect_examples", consumers.stream().filter(c -> c.name.equals("edge-0")
                    || c.name.equals("direct-0")).map(c -> Map.of(c.name, c.history)).toList());
        } catch (AssertionError | Exception e) {
            report.put("failed", String.valueOf(e.getMessage()).strip().replaceAll("\\s+", " "));
            throw e;
        } finally {
            report.put("minutes", round((System.nanoTime() - started) / 60e9)).put("load_at_end", uptime());
            consumers.forEach(ClusterConsumer::close);
            tearDown();
            report.write();
        }
    }

    // ---- the hosts

    private void startBrokers() throws Exception {
        String cluster = java.util.Base64.getUrlEncoder().withoutPadding()
                .encodeToString(java.nio.ByteBuffer.allocate(16).putLong(System.nanoTime()).putLong(ProcessHandle.current().pid()).array());
        String voters = "1@10.77.0.11:9093,2@10.77.0.12:9093,3@10.77.0.13:9093";
        try (var pool = Executors.newFixedThreadPool(3)) {
            var started = new ArrayList<Future<String>>();
            for (int id = 1; id <= 3; id++) {
                var env = Map.of("JLAY_KAFKA_NETNS", "jlay-kafka" + id, "JLAY_KAFKA_ADDRESS", PREFIX + (10 + id),
                        "JLAY_KAFKA_PORT", "9092", "JLAY_KAFKA_NODE_ID", "" + id, "JLAY_KAFKA_VOTERS", voters,
                        "JLAY_KAFKA_CLUSTER_ID", cluster, "JLAY_KAFKA_HEAP", "256m");
                var dir = brokerDir(id);
                started.add(pool.submit(() -> NetnsProcess.run(List.of(root.resolve("scripts/kafka").toString(),
                        "start", dir.toString()), env, START)));
            }
            for (var f : started) f.get();
        }
    }

    private Path brokerDir(int id) {
        return work.resolve("kafka" + id);
    }

    private NetnsProcess start(String ns, String name, List<String> flags, List<String> args, Map<String, String> env,
                               Pattern ready) throws Exception {
        var p = NetnsProcess.start(ns, name, work.resolve(name + ".log"), flags, args, env, ready, START);
        running.add(p);
        return p;
    }

    private void startPrimary(boolean publishing) throws Exception {
        var env = new HashMap<>(primaryEnv);
        env.put("RELAY_KAFKA_BOOTSTRAP_SERVERS", publishing ? BROKERS : "");
        primary = start("jlay-primary", "primary", List.of("-Xmx768m"), List.of("serve"), env, SERVING);
    }

    private void startEdge(int i) throws Exception {
        var env = Map.of("RELAY_ROLE", "edge", "RELAY_HOST", EDGES.get(i), "RELAY_PORT", "2470",
                "RELAY_METRICS_PORT", "2471", "RELAY_KAFKA_BOOTSTRAP_SERVERS", BROKERS, "RELAY_KAFKA_TOPIC", TOPIC,
                "RELAY_EDGE_PRIMARY_URL", "http://" + PRIMARY + ":2470");
        // a fixed, pre-touched heap: RSS then grows only with what is not heap (as the appliance runs it)
        edges[i] = start("jlay-edge" + (i + 1), "edge" + (i + 1), List.of("-Xms512m", "-Xmx512m",
                "-XX:+AlwaysPreTouch", "-XX:+UseG1GC"), List.of("serve"), env, SERVING);
    }

    private void net(String... args) {
        var cmd = new ArrayList<>(List.of(root.resolve("scripts/cluster-net").toString()));
        cmd.addAll(List.of(args));
        NetnsProcess.run(cmd, Map.of(), Duration.ofMinutes(1));
    }

    private void tearDown() {
        for (var p : running.reversed()) {
            try {
                p.kill9();
            } catch (Exception e) {
                // keep going
            }
        }
        for (int id = 1; id <= 3; id++) {
            try {
                NetnsProcess.run(List.of(root.resolve("scripts/kafka").toString(), "kill", brokerDir(id).toString()),
                        Map.of(), Duration.ofMinutes(1));
            } catch (RuntimeException e) {
                System.out.println("cluster drill: " + e.getMessage());
            }
        }
        try {
            NetnsProcess.run(List.of("ip", "netns", "exec", "jlay-primary", root.resolve("scripts/dev-postgres").toString(),
                    "destroy", work.resolve("pg").toString()), Map.of(), Duration.ofMinutes(1));
        } catch (RuntimeException e) {
            System.out.println("cluster drill: " + e.getMessage());
        }
        try {
            net("down");
        } catch (RuntimeException e) {
            System.out.println("cluster drill: " + e.getMessage());
        }
        try (var logs = Files.list(work)) {
            var kept = Files.createDirectories(Path.of("target", "drills", "cluster-logs"));
            for (var log : logs.filter(f -> f.toString().endsWith(".log")).toList()) {
                Files.copy(log, kept.resolve(log.getFileName()), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            }
            for (int id = 1; id <= 3; id++) {
                var broker = brokerDir(id).resolve("broker.log");
                if (Files.exists(broker)) {
                    Files.copy(broker, kept.resolve("kafka" + id + ".log"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                }
            }
        } catch (Exception e) {
            System.out.println("cluster drill: logs not kept: " + e);
        }
        try (var files = Files.walk(work)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        } catch (Exception e) {
            // left in /tmp
        }
        http.close();
    }

    // ---- the primary's kill and its catch-up

    private Map<String, Object> primaryKillAndCatchUp(long downSeconds, boolean publishing, List<ClusterConsumer> onEdges,
                                                      ClusterConsumer reference) throws Exception {
        var out = new LinkedHashMap<String, Object>();
        long seqAtKill = primarySeq();
        primary.kill9();
        long edgeSeqAtKill = minSeq(onEdges);
        Thread.sleep(downSeconds * 1000);
        out.put("edge_consumers_min_seq_advance_while_down", minSeq(onEdges) - edgeSeqAtKill);
        // the primary's seq every 250 ms from before its start: the hosts' backlog is taken at full speed
        var samples = new java.util.concurrent.CopyOnWriteArrayList<long[]>(); // nanos, seq
        var sampling = new java.util.concurrent.atomic.AtomicBoolean(true);
        var sampler = Thread.ofVirtual().start(() -> {
            while (sampling.get()) {
                long s = primarySeqOrZero();
                if (s > 0) samples.add(new long[] {System.nanoTime(), s});
                try {
                    Thread.sleep(250);
                } catch (InterruptedException e) {
                    return;
                }
            }
        });
        long t0 = System.nanoTime();
        startPrimary(publishing);
        out.put("restart_seconds", round((System.nanoTime() - t0) / 1e9));
        long deadline = System.nanoTime() + 180_000_000_000L;
        while (System.nanoTime() < deadline) {
            int n = samples.size();
            if (n > 8 && samples.get(n - 5)[1] > seqAtKill) {
                var x = samples.get(n - 5);
                var y = samples.get(n - 1);
                if ((y[1] - x[1]) / ((y[0] - x[0]) / 1e9) < rate * 1.5) break; // live again
            }
            Thread.sleep(250);
        }
        sampling.set(false);
        sampler.join();
        var list = List.copyOf(samples);
        var a = list.getFirst(); // the first answer of the metrics port: upstream starts right after it
        var b = list.get(Math.max(0, list.size() - 5));
        double seconds = (b[0] - a[0]) / 1e9;
        out.put("publishing", publishing);
        out.put("seq_at_first_scrape_minus_seq_at_kill", a[1] - seqAtKill);
        out.put("catch_up_frames", b[1] - a[1]);
        out.put("catch_up_seconds", round(seconds));
        out.put("catch_up_frames_per_second", round((b[1] - a[1]) / Math.max(0.001, seconds)));
        // the live load for a while: the primary's own CPU per frame (other hosts' load does not count in it),
        // after a pause so the JIT's work after the restart (more of it with the Kafka client) counts less
        Thread.sleep(DrillReport.param("cpu-settle-seconds", 20) * 1000);
        long c0 = primary.cpuTicks(), s0 = primarySeq();
        Thread.sleep(DrillReport.param("cpu-window-seconds", 30) * 1000);
        long c1 = primary.cpuTicks(), s1 = primarySeq();
        out.put("live_frames", s1 - s0);
        out.put("live_cpu_ms_per_frame", round((c1 - c0) * 10.0 / Math.max(1, s1 - s0)));
        if (publishing) {
            long seqNow = primarySeq();
            long t1 = System.nanoTime();
            waitFor("edge consumers past seq " + seqNow + " after the primary's restart", Duration.ofMinutes(3),
                    () -> minSeq(onEdges) >= seqNow);
            out.put("edge_consumers_past_the_primary_seconds", round((System.nanoTime() - t1) / 1e9));
        }
        waitFor("the primary's consumer back", Duration.ofMinutes(2), () -> reference.lastSeq() >= seqAtKill);
        out.put("load", uptime());
        return out;
    }

    /** Java heap in use after a full GC ({@code jcmd PID GC.run}, then {@code GC.heap_info}); -1 if jcmd fails. */
    private static long heapAfterFullGc(NetnsProcess p) {
        try {
            var jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd").toString();
            NetnsProcess.run(List.of(jcmd, "" + p.pid(), "GC.run"), Map.of(), Duration.ofMinutes(1));
            var pb = new ProcessBuilder(jcmd, "" + p.pid(), "GC.heap_info").redirectErrorStream(true).start();
            var text = new String(pb.getInputStream().readAllBytes());
            pb.waitFor();
            var m = Pattern.compile("heap\\s+total[^,]*,[^,]*, used (\\d+)K").matcher(text);
            return m.find() ? Long.parseLong(m.group(1)) * 1024 : -1;
        } catch (Exception e) {
            return -1;
        }
    }

    private long primarySeq() throws Exception {
        return (long) metrics("http://" + PRIMARY + ":2471/metrics").sum("relay_seq");
    }

    private long primarySeqOrZero() {
        try {
            return primarySeq();
        } catch (Exception e) {
            return 0;
        }
    }

    /** The primary's last seq once it has not moved for 5 s (the simulator stopped). */
    private long settledSeq() throws Exception {
        long last = -1;
        while (true) {
            long now = primarySeq();
            if (now == last) return now;
            last = now;
            Thread.sleep(5_000);
        }
    }

    private double edgeMetric(int i, String name) {
        try {
            return metrics("http://" + EDGES.get(i) + ":2471/metrics").sum(name);
        } catch (Exception e) {
            return -1;
        }
    }

    private MetricsText metrics(String url) throws Exception {
        var r = http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(5)).build(),
                HttpResponse.BodyHandlers.ofString());
        return MetricsText.parse(r.body());
    }

    // ---- Kafka, read from the drill's side of the bridge

    private Properties kafka() {
        var p = new Properties();
        p.put("bootstrap.servers", BROKERS);
        p.put("default.api.timeout.ms", "15000");
        p.put("request.timeout.ms", "10000");
        return p;
    }

    private long endOffset() {
        var tp = new TopicPartition(TOPIC, 0);
        try (var c = new KafkaConsumer<>(kafka(), new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            if (!c.listTopics(Duration.ofSeconds(10)).containsKey(TOPIC)) return 0;
            return c.endOffsets(List.of(tp), Duration.ofSeconds(10)).get(tp);
        } catch (RuntimeException e) {
            return 0;
        }
    }

    private int leader() throws Exception {
        try (var admin = Admin.create(kafka())) {
            var d = admin.describeTopics(List.of(TOPIC)).allTopicNames().get().get(TOPIC);
            return d.partitions().getFirst().leader().id();
        }
    }

    /** Reads the whole topic: seqs 1..last, each once, each record the bytes the consumers got. */
    private Map<String, Object> checkTopic(ClusterConsumer.Ledger ledger, long last) {
        var tp = new TopicPartition(TOPIC, 0);
        var p = kafka();
        p.put("enable.auto.commit", "false");
        p.put("max.poll.records", "2000");
        long expect = 1, mismatches = 0, records = 0;
        try (var c = new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            c.assign(List.of(tp));
            long end = c.endOffsets(List.of(tp), Duration.ofSeconds(30)).get(tp);
            c.seekToBeginning(List.of(tp));
            while (c.position(tp, Duration.ofSeconds(30)) < end) {
                for (var r : c.poll(Duration.ofMillis(500)).records(tp)) {
                    long seq = FrameHeaders.seq(r.headers());
                    assertThat(seq).as("topic offset %d: seqs 1..N, no gap and no duplicate", r.offset()).isEqualTo(expect);
                    if (!Long.valueOf(ClusterConsumer.digest(r.value())).equals(ledger.digest(seq))) mismatches++;
                    expect++;
                    records++;
                }
            }
        }
        assertThat(expect - 1).as("the topic ends at the primary's last seq").isEqualTo(last);
        assertThat(mismatches).as("topic records with other bytes than the consumers got").isZero();
        return Map.of("records", records, "byte_mismatches", mismatches);
    }

    // ---- checks

    private static void checkClean(List<ClusterConsumer> consumers, ClusterConsumer.Ledger ledger, String phase) {
        for (var c : consumers) {
            assertThat(c.gaps()).as("%s: %s skipped seqs (%s)", phase, c.name, c.history).isZero();
            assertThat(c.repeats()).as("%s: %s got a seq twice (%s)", phase, c.name, c.history).isZero();
        }
        assertThat(ledger.mismatches.get()).as("%s: consumers got different bytes for a seq: %s", phase,
                ledger.firstMismatches).isZero();
        System.out.println("cluster drill: " + phase + " clean; reference at seq " + consumers.getFirst().lastSeq()
                + ", slowest consumer at " + minSeq(consumers) + ", load " + uptime());
    }

    private static long minSeq(List<ClusterConsumer> cs) {
        return cs.stream().mapToLong(ClusterConsumer::lastSeq).min().orElse(0);
    }

    private static void waitFor(String what, Duration atMost, BooleanSupplier done) throws InterruptedException {
        long deadline = System.nanoTime() + atMost.toNanos();
        while (!done.getAsBoolean()) {
            if (System.nanoTime() > deadline) throw new AssertionError("not within " + atMost + ": " + what);
            Thread.sleep(250);
        }
    }

    private static String uptime() {
        try {
            return Files.readString(Path.of("/proc/loadavg")).strip();
        } catch (Exception e) {
            return "?";
        }
    }

    private static double round(double v) {
        return Math.round(v * 100) / 100.0;
    }

    private static Path findRoot() {
        for (var base = Path.of("").toAbsolutePath(); base != null; base = base.getParent()) {
            if (Files.isExecutable(base.resolve("scripts/cluster-net"))) return base;
        }
        throw new IllegalStateException("scripts/cluster-net not found from " + Path.of("").toAbsolutePath());
    }
}
