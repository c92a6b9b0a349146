#!/usr/bin/env python3
"""Writes the Grafana dashboards (memory.json, pipeline.json, hosts.json).

The JSON files are committed and are what Grafana provisions; this script is
how they are kept consistent (same datasource uid, same variable, same panel
shapes). Edit here, run `python3 dashboards/generate.py`, commit both.
Every metric used must be listed in METRICS.md (a test checks it), and every
expression must parse (RelayDashboardsTest runs promtool on all of them).
"""
import json
import pathlib

DS = {"type": "prometheus", "uid": "jlay-prometheus"}
I = 'instance=~"$instance"'
RI = "$__rate_interval"


def target(expr, legend, ref):
    return {"datasource": DS, "expr": expr, "legendFormat": legend, "refId": ref}


def panel(title, unit, targets, *, stack=False, desc="", kind="timeseries",
          overrides=None, thresholds=None, w=12, h=8):
    refs = "ABCDEFGH"
    fc = {
        "defaults": {
            "unit": unit,
            "custom": {
                "stacking": {"mode": "normal" if stack else "none", "group": "A"},
                "fillOpacity": 30 if stack else 5,
                "lineWidth": 1,
            },
        },
        "overrides": overrides or [],
    }
    if thresholds:
        fc["defaults"]["thresholds"] = {"mode": "absolute", "steps": thresholds}
        fc["defaults"]["custom"]["thresholdsStyle"] = {"mode": "line"}
    if kind != "timeseries":
        fc["defaults"].pop("custom")
    return {
        "type": kind,
        "title": title,
        "description": desc,
        "datasource": DS,
        "fieldConfig": fc,
        "options": {"legend": {"displayMode": "table", "placement": "right", "calcs": ["lastNotNull", "max"]},
                    "tooltip": {"mode": "multi", "sort": "desc"}} if kind == "timeseries" else {},
        "targets": [target(e, l, refs[i]) for i, (e, l) in enumerate(targets)],
        "gridPos": {"w": w, "h": h},
    }


def not_stacked(series):
    return {"matcher": {"id": "byName", "options": series},
            "properties": [{"id": "custom.stacking", "value": {"mode": "none"}},
                           {"id": "custom.fillOpacity", "value": 0},
                           {"id": "custom.lineWidth", "value": 2}]}


def dashboard(uid, title, desc, panels):
    x = y = 0
    for i, p in enumerate(panels):
        p["id"] = i + 1
        w, h = p["gridPos"]["w"], p["gridPos"]["h"]
        if x + w > 24:
            x, y = 0, y + h
        p["gridPos"].update({"x": x, "y": y})
        x += w
    return {
        "uid": uid,
        "title": title,
        "description": desc,
        "tags": ["jlay"],
        "timezone": "utc",
        "schemaVersion": 39,
        "version": 1,
        "editable": False,
        "refresh": "30s",
        "time": {"from": "now-6h", "to": "now"},
        "templating": {"list": [{
            "name": "instance",
            "label": "relay",
            "type": "query",
            "datasource": DS,
            "query": {"query": "label_values(relay_seq, instance)", "refId": "instance"},
            "definition": "label_values(relay_seq, instance)",
            "refresh": 2,
            "includeAll": True,
            "multi": False,
            "allValue": ".+",
            "current": {"text": "All", "value": "$__all"},
        }]},
        "links": [{"type": "dashboards", "tags": ["jlay"], "title": "jlay", "asDropdown": True}],
        "panels": panels,
    }


memory = dashboard("jlay-memory", "jlay / Memory",
                   "Where every byte of the relay's RSS is, and whether it grows.", [
    panel("RSS by owner", "bytes", [
        (f"sum by (owner) (relay_memory_bytes{{{I}}})", "{{owner}}"),
        (f"sum(relay_process_resident_memory_bytes{{{I}}})", "RSS"),
    ], stack=True, overrides=[not_stacked("RSS")], w=24, h=10,
        desc="Stacked owners add up to RSS; 'unaccounted' = RSS minus every named owner. "
             "A native leak shows as unaccounted growing."),
    panel("Unaccounted", "bytes", [
        (f"sum(relay_memory_bytes{{owner=\"unaccounted\",{I}}})", "unaccounted"),
    ], desc="RSS that no owner explains."),
    panel("RSS slope per hour (leak alarm)", "bytes", [
        (f"deriv(relay_process_resident_memory_bytes{{{I}}}[1h]) * 3600", "{{instance}}"),
    ], thresholds=[{"color": "green", "value": None}, {"color": "red", "value": 67108864}],
        desc="Growth of RSS per hour over the last hour. The JlayRssGrowing alert fires when it "
             "stays above 64 MiB/h for an hour."),
    panel("Heap", "bytes", [
        (f"sum(relay_memory_bytes{{owner=\"java_heap\",{I}}})", "committed"),
        (f"sum(relay_jvm_heap_used_bytes{{{I}}})", "used"),
    ]),
    panel("GC", "percentunit", [
        (f"sum by (gc) (rate(relay_jvm_gc_pause_seconds_total{{{I}}}[{RI}]))", "{{gc}} pause time"),
        (f"sum by (gc) (rate(relay_jvm_gc_collections_total{{{I}}}[{RI}]))", "{{gc}} collections/s"),
    ], overrides=[{"matcher": {"id": "byRegexp", "options": ".*collections/s"},
                   "properties": [{"id": "unit", "value": "short"},
                                  {"id": "custom.axisPlacement", "value": "right"}]}],
        desc="Fraction of wall time in GC pauses, and collections per second."),
    panel("NMT committed by category", "bytes", [
        (f"sum by (category) (relay_nmt_committed_bytes{{{I}}})", "{{category}}"),
    ], stack=True),
    panel("malloc arenas: in use vs free", "bytes", [
        (f"sum by (kind) (relay_malloc_arena_bytes{{{I}}})", "{{kind}}"),
        (f"count(count by (arena) (relay_malloc_arena_bytes{{{I}}}))", "arenas"),
    ], overrides=[{"matcher": {"id": "byName", "options": "arenas"},
                   "properties": [{"id": "unit", "value": "short"},
                                  {"id": "custom.axisPlacement", "value": "right"}]}],
        desc="All glibc arenas. Free bytes held in arenas are RSS nobody uses: fragmentation."),
    panel("Bytes allocated per frame, by stage", "bytes", [
        (f"sum by (stage) (rate(relay_stage_allocated_bytes_total{{{I}}}[{RI}]))"
         f" / sum by (stage) (rate(relay_stage_events_total{{{I}}}[{RI}]))", "{{stage}}"),
    ], desc="Heap bytes each stage allocates per event it handles."),
    panel("Heap allocation rate by stage", "Bps", [
        (f"sum by (stage) (rate(relay_stage_allocated_bytes_total{{{I}}}[{RI}]))", "{{stage}}"),
    ], stack=True),
    panel("Bounded buffers: fill", "percentunit", [
        (f"max by (buffer) (relay_buffer_entries{{{I}}} / relay_buffer_capacity{{{I}}})", "{{buffer}}"),
    ], thresholds=[{"color": "green", "value": None}, {"color": "orange", "value": 0.8}],
        desc="Entries over capacity for every bounded structure (queues, caches, parking, ring)."),
    panel("Bounded buffers: bytes", "bytes", [
        (f"sum by (buffer) (relay_buffer_bytes{{{I}}})", "{{buffer}}"),
    ], stack=True),
])

pipeline = dashboard("jlay-pipeline", "jlay / Pipeline",
                     "Frames through the relay: in, out, dropped, how long each stage takes.", [
    panel("Frames in by type", "ops", [
        (f"sum by (type) (rate(relay_frames_total{{{I}}}[{RI}]))", "{{type}}"),
    ], stack=True),
    panel("Frames out (accepted) by type", "ops", [
        (f"sum by (type) (rate(relay_frames_total{{result=~\"accepted.*\",{I}}}[{RI}]))", "{{type}}"),
        (f"sum(rate(relay_stage_events_total{{stage=\"broadcast\",{I}}}[{RI}]))", "broadcast"),
    ], overrides=[not_stacked("broadcast")], stack=True),
    panel("Drops by reason", "ops", [
        (f"sum by (type, result) (rate(relay_frames_total{{result!~\"accepted.*\",{I}}}[{RI}]))",
         "{{type}} {{result}}"),
    ], stack=True),
    panel("Events persisted", "ops", [
        (f"sum(rate(relay_stage_events_total{{stage=\"persist\",{I}}}[{RI}]))", "persisted/s"),
    ]),
    panel("Stage latency p99", "s", [
        (f"histogram_quantile(0.99, sum by (stage, le) "
         f"(rate(relay_stage_latency_seconds_bucket{{{I}}}[{RI}])))", "{{stage}}"),
    ]),
    panel("Stage latency mean", "s", [
        (f"sum by (stage) (rate(relay_stage_seconds_total{{{I}}}[{RI}]))"
         f" / sum by (stage) (rate(relay_stage_events_total{{{I}}}[{RI}]))", "{{stage}}"),
    ]),
    panel("Events per stage", "ops", [
        (f"sum by (stage) (rate(relay_stage_events_total{{{I}}}[{RI}]))", "{{stage}}"),
    ]),
    panel("Stage busy time", "percentunit", [
        (f"sum by (stage) (rate(relay_stage_seconds_total{{{I}}}[{RI}]))", "{{stage}}"),
    ], stack=True, desc="Seconds spent per second: 1.0 = one thread busy all the time."),
    panel("Worker queue depth", "short", [
        (f"sum by (buffer) (relay_buffer_entries{{buffer=~\"worker_queue.*\",{I}}})", "{{buffer}}"),
        (f"max(relay_buffer_capacity{{buffer=~\"worker_queue.*\",{I}}})", "capacity"),
    ], overrides=[not_stacked("capacity")], stack=True),
    panel("Parking area", "short", [
        (f"sum(relay_buffer_entries{{buffer=\"parking\",{I}}})", "frames"),
        (f"sum(relay_buffer_capacity{{buffer=\"parking\",{I}}})", "capacity"),
        (f"sum(relay_buffer_bytes{{buffer=\"parking\",{I}}})", "bytes"),
    ], overrides=[{"matcher": {"id": "byName", "options": "bytes"},
                   "properties": [{"id": "unit", "value": "bytes"},
                                  {"id": "custom.axisPlacement", "value": "right"}]}],
        desc="Frames waiting for their DID's key to resolve."),
    panel("Sequence", "short", [
        (f"max(relay_seq{{{I}}})", "seq"),
    ]),
    panel("Sequence rate", "ops", [
        (f"sum(deriv(relay_seq{{{I}}}[{RI}]))", "seq/s"),
    ]),
    panel("Kafka publishing lag", "short", [
        (f"max(relay_kafka_publish_lag_events{{{I}}})", "events behind"),
        (f"max(relay_kafka_connected{{{I}}})", "connected"),
        (f"max(relay_kafka_publishing{{{I}}})", "publishing"),
    ], overrides=[{"matcher": {"id": "byRegexp", "options": "connected|publishing"},
                   "properties": [{"id": "custom.axisPlacement", "value": "right"}]}],
        desc="Durable events the Kafka topic has not acknowledged yet (0 when publishing is off). "
             "Grows while Kafka is unreachable; the log holds them and publishing catches up afterwards."),
    panel("Kafka in-flight bytes", "bytes", [
        (f"sum(relay_buffer_bytes{{buffer=\"kafka_publish_in_flight\",{I}}})", "in flight"),
        (f"sum(relay_buffer_capacity_bytes{{buffer=\"kafka_publish_in_flight\",{I}}})", "bound"),
    ], desc="Frame bytes handed to the Kafka producer and not yet acknowledged, and their bound (kafka.in-flight-bytes)."),
])

hosts = dashboard("jlay-hosts", "jlay / Hosts and consumers",
                  "Upstream PDS hosts and downstream consumers.", [
    panel("Hosts by status", "short", [
        (f"sum by (status) (relay_upstream_hosts{{{I}}})", "{{status}}"),
    ], stack=True),
    panel("Open host connections", "short", [
        (f"sum(relay_upstream_connections{{{I}}})", "connections"),
    ]),
    panel("Host readers by state", "short", [
        (f"sum by (state) (relay_upstream_connection_states{{{I}}})", "{{state}}"),
    ], stack=True, desc="connecting, connected, backoff (failing, waiting to retry), stopped."),
    panel("Marginal memory cost", "bytes", [
        (f"max by (per) (relay_marginal_cost_bytes{{{I}}})", "{{per}}"),
    ], desc="What the relay's metered structures hold per idle host connection, cached account, "
            "uncached account and consumer (docs/memory.md); the soak report fits the same from RSS."),
    panel("Memory held for hosts, accounts and consumers", "bytes", [
        (f"sum(relay_marginal_cost_bytes{{{I},per=\"idle_host\"}} * on(instance) group_left "
         f"relay_upstream_connections{{{I}}})", "hosts"),
        (f"sum(relay_buffer_bytes{{{I},buffer=~\"store_account_cache|store_repo_state_cache|identity_cache\"}})",
         "cached accounts"),
        (f"sum(relay_buffer_bytes{{{I},buffer=~\"consumers|consumer_replay_batches\"}})", "consumers"),
    ], stack=True),
    panel("Top 10 hosts by frame rate", "ops", [
        (f"topk(10, sum by (host) (rate(relay_host_frames_total{{{I}}}[{RI}])))", "{{host}}"),
    ], w=24),
    panel("Consumers", "short", [
        (f"sum(relay_consumers{{{I}}})", "consumers"),
    ]),
    panel("Consumer lag (events behind relay_seq)", "short", [
        (f"topk(10, max by (consumer) (relay_consumer_lag_events{{{I}}}))", "{{consumer}}"),
    ]),
    panel("Heap allocated per frame per consumer", "bytes", [
        (f"sum(rate(relay_stage_allocated_bytes_total{{{I},stage=\"broadcast\"}}[{RI}])) / "
         f"sum(rate(relay_stage_events_total{{{I},stage=\"broadcast\"}}[{RI}])) / "
         f"clamp_min(sum(relay_consumers{{{I}}}), 1)", "bytes/frame/consumer"),
    ], desc="The broadcast stage's heap per frame divided by the consumers (target <= 100 B; "
            "FanoutBench, FanoutAllocationTest)."),
    panel("Slow-consumer kicks", "short", [
        (f"sum by (reason) (increase(relay_consumer_kicks_total{{{I}}}[1h]))", "{{reason}}"),
    ], desc="Consumers closed per hour, by reason (too_slow = ConsumerTooSlow)."),
    panel("Jetstream (/subscribe) connections", "short", [
        (f"sum(relay_jetstream_connections{{{I}}})", "connections"),
        (f"sum by (reason) (increase(relay_jetstream_kicks_total{{{I}}}[1h]))", "kicked/h {{reason}}"),
    ], desc="Connected Jetstream clients, and those the relay cut per hour (too_slow: no write progress for "
            "jetstream.write-timeout-ms). The status page lists the 100 furthest behind with their filters; "
            "/admin/jetstream lists all."),
    panel("Jetstream lag (events behind relay_seq)", "short", [
        (f"topk(10, max by (connection) (relay_jetstream_lag_events{{{I}}}))", "{{connection}}"),
    ], desc="The 10 /subscribe connections furthest behind (connection = its id in /admin/jetstream). "
            "One replaying from a cursor is behind and is never kicked for it."),
    panel("Jetstream events and bytes sent", "ops", [
        (f"sum by (encoding) (rate(relay_jetstream_events_sent_total{{{I}}}[{RI}]))", "events/s {{encoding}}"),
        (f"sum by (encoding) (rate(relay_jetstream_sent_bytes_total{{{I}}}[{RI}]))", "bytes/s {{encoding}}"),
    ], overrides=[{"matcher": {"id": "byRegexp", "options": "bytes/s.*"},
                   "properties": [{"id": "unit", "value": "Bps"},
                                  {"id": "custom.axisPlacement", "value": "right"}]}],
        desc="Jetstream events written to all connections, json (text) or zstd (binary frames)."),
    panel("Database up", "short", [
        (f"min(relay_database_up{{{I}}})", "up"),
    ], kind="stat", w=6),
])

out = pathlib.Path(__file__).resolve().parent
for name, d in [("memory.json", memory), ("pipeline.json", pipeline), ("hosts.json", hosts)]:
    (out / name).write_text(json.dumps(d, indent=2) + "\n")
