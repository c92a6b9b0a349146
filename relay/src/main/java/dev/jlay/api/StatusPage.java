package dev.jlay.api;

import dev.jlay.downstream.ConsumerSnapshot;
import dev.jlay.jetstream.JetstreamService;
import dev.jlay.memory.MemoryReport;
import dev.jlay.store.Host;
import dev.jlay.store.HostStatus;
import dev.jlay.store.Storage;
import dev.jlay.upstream.HostConnectionStatus;
import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * {@code /?q=&page=}: a plain server-rendered HTML page for a glance that stays small at 10,000 hosts:
 * last seq and events per second, database health, hosts counted by stored status and by connection
 * state, the busiest and the failing connections first, then one page of {@value #PAGE_SIZE} hosts
 * (searchable by a part of the hostname, paged on the server), consumers by lag, and two small SVG
 * charts of the last hour ({@link StatusHistory}): events/s and RSS by owner, and the Jetstream
 * {@code /subscribe} connections by lag with their filters summarised. No scripts, no
 * external assets; it reloads itself every 10 s.
 */
public final class StatusPage {
    private static final System.Logger LOG = System.getLogger(StatusPage.class.getName());
    static final int PAGE_SIZE = 50;
    static final int TOP_HOSTS = 10;
    static final int CONSUMERS_SHOWN = 100;
    /** A search reads at most this many hosts from the database (in chunks), so a view stays cheap. */
    static final int MAX_SCAN = 20_000;
    private static final int SCAN_CHUNK = 1_000;
    static final int MAX_QUERY = 100;
    /** A Jetstream filter cell shows at most this many characters (100 collections would be ~4 KB). */
    static final int MAX_FILTER_CHARS = 120;
    /** Lines drawn in the RSS chart besides RSS itself: the largest owners now. */
    static final int CHART_OWNERS = 5;
    private static final long MIB = 1L << 20;
    private static final String[] COLOURS = {"#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b"};

    private final Storage storage;
    private final LongSupplier seq;
    private final Supplier<List<ConsumerSnapshot>> consumers;
    private final Supplier<MemoryReport> memory;
    private final Supplier<List<HostConnectionStatus>> connections;
    private final StatusHistory history;
    private final Supplier<List<JetstreamService.ConnectionView>> jetstream;

    /** Without host connections and with a history nobody samples: for tests of the page's other parts. */
    public StatusPage(Storage storage, LongSupplier seq, Supplier<List<ConsumerSnapshot>> consumers,
                      Supplier<MemoryReport> memory) {
        this(storage, seq, consumers, memory, List::of,
                new StatusHistory(Duration.ofHours(1), Duration.ofSeconds(10), seq, memory), List::of);
    }

    /**
     * @param seq         the last assigned seq ({@code relay.events().log()::lastSeq})
     * @param consumers   {@code relay.subscribeRepos().consumers()::list}
     * @param memory      the latest memory report
     * @param connections the running host connections ({@code HostConnectionManager::statuses})
     * @param history     the last hour's samples, for the rate and the charts
     * @param jetstream   the {@code /subscribe} connections ({@code JetstreamService::list}, bounded by its
     *                    connection limit)
     */
    public StatusPage(Storage storage, LongSupplier seq, Supplier<List<ConsumerSnapshot>> consumers,
                      Supplier<MemoryReport> memory, Supplier<List<HostConnectionStatus>> connections,
                      StatusHistory history, Supplier<List<JetstreamService.ConnectionView>> jetstream) {
        this.jetstream = jetstream;
        this.storage = storage;
        this.seq = seq;
        this.consumers = consumers;
        this.memory = memory;
        this.connections = connections;
        this.history = history;
    }

    void page(ServerRequest req, ServerResponse res) {
        String q = Params.optional(req, "q").map(s -> s.strip().toLowerCase(Locale.ROOT)).orElse("");
        if (q.length() > MAX_QUERY) {
            throw XrpcException.invalidRequest("q is longer than " + MAX_QUERY + " characters");
        }
        int page = pageNumber(Params.optional(req, "page").orElse("1"));
        res.header(HeaderNames.CONTENT_TYPE, "text/html; charset=utf-8");
        res.send(render(q, page));
    }

    private static int pageNumber(String raw) {
        try {
            int p = Integer.parseInt(raw);
            if (p >= 1 && p <= 1_000_000) {
                return p;
            }
        } catch (NumberFormatException e) {
            // below
        }
        throw XrpcException.invalidRequest("page must be an integer 1..1000000");
    }

    String render(String q, int page) {
        var html = new StringBuilder(32_768);
        html.append("<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">")
                .append("<meta http-equiv=\"refresh\" content=\"10\"><title>jlay relay</title>")
                .append("<style>body{font-family:sans-serif;margin:2em}table{border-collapse:collapse;margin:.5em 0}")
                .append("td,th{border:1px solid #ccc;padding:.2em .6em;text-align:left}")
                .append("svg{border:1px solid #ccc;margin-right:1em}.charts{display:flex;flex-wrap:wrap}")
                .append("</style></head><body>\n<h1>jlay relay</h1>\n");
        long now = seq.getAsLong();
        html.append("<p>Last seq: <strong id=\"seq\">").append(now).append("</strong>, events per second: ")
                .append("<strong id=\"events-per-second\">");
        var perSecond = history.rate(System.nanoTime(), now);
        html.append(perSecond.isPresent() ? String.format(Locale.ROOT, "%.1f", perSecond.getAsDouble())
                : "measuring").append("</strong> (last minute)</p>\n");
        var db = storage.health();
        html.append("<p>Database: <strong id=\"database\">").append(db.healthy() ? "ok" : "unavailable")
                .append("</strong>");
        if (!db.healthy()) {
            html.append(" (").append(escape(db.reason())).append(")");
        }
        html.append("</p>\n");
        charts(html);
        var live = connections.get();
        hostCounts(html, db.healthy(), live);
        busiestAndFailing(html, live);
        hostPage(html, db.healthy(), live, q, page);
        consumers(html);
        jetstream(html);
        memory(html);
        html.append("</body></html>\n");
        return html.toString();
    }

    private void hostCounts(StringBuilder html, boolean dbHealthy, List<HostConnectionStatus> live) {
        html.append("<h2>Hosts</h2>\n");
        var byState = new EnumMap<HostConnectionStatus.State, Integer>(HostConnectionStatus.State.class);
        for (var s : HostConnectionStatus.State.values()) {
            byState.put(s, 0);
        }
        for (var c : live) {
            byState.merge(c.state(), 1, Integer::sum);
        }
        html.append("<table id=\"connection-counts\"><tr><th>connections</th>");
        for (var s : HostConnectionStatus.State.values()) {
            html.append("<th>").append(s.name().toLowerCase(Locale.ROOT)).append("</th>");
        }
        html.append("</tr><tr><td>").append(live.size()).append("</td>");
        for (var s : HostConnectionStatus.State.values()) {
            html.append("<td id=\"connections-").append(s.name().toLowerCase(Locale.ROOT)).append("\">")
                    .append(byState.get(s)).append("</td>");
        }
        html.append("</tr></table>\n");
        if (!dbHealthy) {
            html.append("<p>(stored host status not available while the database is down)</p>\n");
            return;
        }
        var counts = storage.hosts().countByStatus();
        long total = 0;
        html.append("<table id=\"host-counts\"><tr><th>hosts</th>");
        for (var s : HostStatus.values()) {
            html.append("<th>").append(s.value()).append("</th>");
            total += counts.getOrDefault(s, 0L);
        }
        html.append("</tr><tr><td id=\"hosts-total\">").append(total).append("</td>");
        for (var s : HostStatus.values()) {
            html.append("<td id=\"hosts-").append(s.value()).append("\">").append(counts.getOrDefault(s, 0L))
                    .append("</td>");
        }
        html.append("</tr></table>\n");
    }

    /** Frames per second over the current session: a rate that needs no state of its own. */
    private static double sessionRate(HostConnectionStatus c, Instant now) {
        if (c.connectedSince() == null) {
            return 0;
        }
        double seconds = Math.max(1, Duration.between(c.connectedSince(), now).toMillis() / 1000.0);
        return c.framesReceived() / seconds;
    }

    private void busiestAndFailing(StringBuilder html, List<HostConnectionStatus> live) {
        var now = Instant.now();
        var busiest = live.stream().filter(c -> c.state() == HostConnectionStatus.State.CONNECTED
                        && c.framesReceived() > 0)
                .sorted(Comparator.comparingDouble((HostConnectionStatus c) -> sessionRate(c, now)).reversed())
                .limit(TOP_HOSTS).toList();
        html.append("<h3>Busiest connections</h3>\n<table id=\"busiest\"><tr><th>hostname</th>")
                .append("<th>frames/s (this session)</th><th>frames</th><th>seq</th></tr>\n");
        for (var c : busiest) {
            html.append("<tr><td>").append(escape(c.host())).append("</td><td>")
                    .append(String.format(Locale.ROOT, "%.1f", sessionRate(c, now))).append("</td><td>")
                    .append(c.framesReceived()).append("</td><td>").append(c.lastSeq()).append("</td></tr>\n");
        }
        html.append("</table>\n");
        var failing = live.stream().filter(c -> c.state() == HostConnectionStatus.State.BACKOFF
                        || (c.state() != HostConnectionStatus.State.CONNECTED && c.failures() > 0))
                .sorted(Comparator.comparingLong(HostConnectionStatus::failures).reversed()
                        .thenComparing(HostConnectionStatus::host))
                .limit(TOP_HOSTS).toList();
        html.append("<h3>Failing connections</h3>\n<table id=\"failing\"><tr><th>hostname</th><th>state</th>")
                .append("<th>failures</th><th>next attempt</th><th>last error</th></tr>\n");
        for (var c : failing) {
            html.append("<tr><td>").append(escape(c.host())).append("</td><td>")
                    .append(c.state().name().toLowerCase(Locale.ROOT)).append("</td><td>").append(c.failures())
                    .append("</td><td>").append(c.backoffUntil() == null ? "" : c.backoffUntil().toString())
                    .append("</td><td>").append(escape(c.lastError())).append("</td></tr>\n");
        }
        html.append("</table>\n");
    }

    /**
     * One page of hosts from the database in registration order, those whose hostname contains
     * {@code q}: read in chunks until the page (and one more row, for "next") is found, at most
     * {@link #MAX_SCAN} rows, so the cost of a view does not grow with a deep page beyond that.
     */
    private void hostPage(StringBuilder html, boolean dbHealthy, List<HostConnectionStatus> live, String q, int page) {
        html.append("<h3>All hosts</h3>\n<form method=\"get\" action=\"/\"><input name=\"q\" id=\"q\" value=\"")
                .append(escape(q)).append("\" placeholder=\"part of a hostname\"> <button>search</button></form>\n");
        if (!dbHealthy) {
            html.append("<p>(not available while the database is down)</p>\n");
            return;
        }
        Map<String, HostConnectionStatus> byHost = new HashMap<>(live.size() * 2);
        for (var c : live) {
            byHost.put(c.host(), c);
        }
        long skip = (long) (page - 1) * PAGE_SIZE;
        var rows = new ArrayList<Host>(PAGE_SIZE);
        boolean more = false;
        long after = 0;
        long scanned = 0;
        long matched = 0;
        scan:
        while (scanned < MAX_SCAN) {
            var chunk = storage.hosts().list(after, SCAN_CHUNK);
            for (var h : chunk) {
                scanned++;
                after = h.id();
                if (!q.isEmpty() && !h.hostname().contains(q)) {
                    continue;
                }
                if (matched++ < skip) {
                    continue;
                }
                if (rows.size() == PAGE_SIZE) {
                    more = true;
                    break scan;
                }
                rows.add(h);
            }
            if (chunk.size() < SCAN_CHUNK) {
                break;
            }
        }
        html.append("<table id=\"hosts\"><tr><th>hostname</th><th>status</th><th>connection</th><th>seq</th>")
                .append("<th>accounts</th><th>frames</th><th>failures</th></tr>\n");
        for (var h : rows) {
            var c = byHost.get(h.hostname());
            html.append("<tr><td>").append(escape(h.hostname())).append("</td><td>").append(h.status().value())
                    .append("</td><td>").append(c == null ? "" : c.state().name().toLowerCase(Locale.ROOT))
                    .append("</td><td>").append(h.lastSeq()).append("</td><td>").append(h.accountCount())
                    .append("</td><td>").append(c == null ? "" : Long.toString(c.framesReceived()))
                    .append("</td><td>").append(c == null ? "" : Long.toString(c.failures())).append("</td></tr>\n");
        }
        html.append("</table>\n<p id=\"host-paging\">page ").append(page);
        if (page > 1) {
            html.append(" <a id=\"previous-page\" href=\"").append(link(q, page - 1)).append("\">previous</a>");
        }
        if (more) {
            html.append(" <a id=\"next-page\" href=\"").append(link(q, page + 1)).append("\">next</a>");
        }
        if (scanned >= MAX_SCAN && !more) {
            html.append(" (searched the first ").append(MAX_SCAN).append(" hosts; listHosts has all)");
        }
        html.append("</p>\n");
    }

    private static String link(String q, int page) {
        var b = new StringBuilder("/?page=").append(page);
        if (!q.isEmpty()) {
            b.append("&amp;q=").append(escape(URLEncoder.encode(q, StandardCharsets.UTF_8)));
        }
        return b.toString();
    }

    private void consumers(StringBuilder html) {
        var list = new ArrayList<>(consumers.get());
        list.sort(Comparator.comparingLong(ConsumerSnapshot::lag).reversed().thenComparingLong(ConsumerSnapshot::id));
        html.append("<h2>Consumers: <span id=\"consumer-count\">").append(list.size()).append("</span></h2>\n");
        html.append("<table id=\"consumers\"><tr><th>remote</th><th>user agent</th><th>last seq</th><th>lag</th>")
                .append("<th>frames sent</th></tr>\n");
        for (var c : list.subList(0, Math.min(list.size(), CONSUMERS_SHOWN))) {
            html.append("<tr><td>").append(escape(c.remoteAddress())).append("</td><td>")
                    .append(escape(c.userAgent())).append("</td><td>").append(c.lastSentSeq()).append("</td><td>")
                    .append(c.lag()).append("</td><td>").append(c.framesSent()).append("</td></tr>\n");
        }
        html.append("</table>\n");
        if (list.size() > CONSUMERS_SHOWN) {
            html.append("<p>(the ").append(CONSUMERS_SHOWN).append(" furthest behind; /admin has all)</p>\n");
        }
    }

    /** The Jetstream connections furthest behind, each with its filter in one cell. */
    private void jetstream(StringBuilder html) {
        var list = new ArrayList<>(jetstream.get());
        list.sort(Comparator.comparingLong(JetstreamService.ConnectionView::lagEvents).reversed()
                .thenComparingLong(JetstreamService.ConnectionView::id));
        html.append("<h2>Jetstream (/subscribe): <span id=\"jetstream-count\">").append(list.size())
                .append("</span></h2>\n");
        html.append("<table id=\"jetstream\"><tr><th>remote</th><th>user agent</th><th>filter</th>")
                .append("<th>compress</th><th>last seq</th><th>lag</th><th>events sent</th></tr>\n");
        for (var c : list.subList(0, Math.min(list.size(), CONSUMERS_SHOWN))) {
            html.append("<tr><td>").append(escape(c.remoteAddress())).append("</td><td>")
                    .append(escape(c.userAgent())).append("</td><td>").append(escape(shorten(c.filter())))
                    .append("</td><td>").append(c.compress() ? "zstd" : "no").append("</td><td>")
                    .append(c.lastSeq()).append("</td><td>").append(c.lagEvents()).append("</td><td>")
                    .append(c.eventsSent()).append("</td></tr>\n");
        }
        html.append("</table>\n");
        if (list.size() > CONSUMERS_SHOWN) {
            html.append("<p>(the ").append(CONSUMERS_SHOWN)
                    .append(" furthest behind; <code>/admin/jetstream</code> has all)</p>\n");
        }
    }

    /** A filter of 100 collections is long: the page shows its start, /admin/jetstream the whole. */
    static String shorten(String filter) {
        return filter.length() <= MAX_FILTER_CHARS ? filter : filter.substring(0, MAX_FILTER_CHARS) + "…";
    }

    private void charts(StringBuilder html) {
        var samples = history.samples();
        html.append("<div class=\"charts\">\n");
        // events/s between consecutive samples
        var times = new ArrayList<Long>();
        var rates = new ArrayList<Double>();
        for (int i = 1; i < samples.size(); i++) {
            var a = samples.get(i - 1);
            var b = samples.get(i);
            double seconds = (b.nanos() - a.nanos()) / 1e9;
            if (seconds > 0) {
                times.add(b.epochMillis());
                rates.add((b.seq() - a.seq()) / seconds);
            }
        }
        chart(html, "chart-events", "events/s, last hour", times, List.of(new Line("events/s", rates)), "");
        // RSS and the largest owners now, in MiB
        var owners = new ArrayList<String>();
        if (!samples.isEmpty()) {
            samples.getLast().owners().entrySet().stream()
                    .sorted(Map.Entry.<String, Long>comparingByValue().reversed())
                    .limit(CHART_OWNERS).forEach(e -> owners.add(e.getKey()));
        }
        var lines = new ArrayList<Line>();
        var rss = new ArrayList<Double>();
        var memTimes = new ArrayList<Long>();
        for (var s : samples) {
            memTimes.add(s.epochMillis());
            rss.add((double) s.rss() / MIB);
        }
        lines.add(new Line("rss", rss));
        for (var owner : owners) {
            var values = new ArrayList<Double>();
            for (var s : samples) {
                values.add((double) s.owners().getOrDefault(owner, 0L) / MIB);
            }
            lines.add(new Line(owner, values));
        }
        chart(html, "chart-memory", "RSS by owner (MiB), last hour", memTimes, lines, " MiB");
        html.append("</div>\n");
    }

    private record Line(String name, List<Double> values) {}

    /** A small line chart as inline SVG: no script, one polyline per series, the max on the y axis. */
    private static void chart(StringBuilder html, String id, String title, List<Long> times, List<Line> lines,
                              String unit) {
        int w = 360;
        int h = 140;
        int left = 50;
        int top = 20;
        int bottom = 20;
        double max = 0;
        for (var l : lines) {
            for (double v : l.values()) {
                max = Math.max(max, v);
            }
        }
        html.append("<svg id=\"").append(id).append("\" xmlns=\"http://www.w3.org/2000/svg\" width=\"").append(w)
                .append("\" height=\"").append(h + 16 * lines.size()).append("\" role=\"img\"><title>")
                .append(escape(title)).append("</title>")
                .append("<text x=\"4\" y=\"14\" font-size=\"12\">").append(escape(title)).append("</text>")
                .append("<text x=\"4\" y=\"").append(top + 10).append("\" font-size=\"10\">")
                .append(String.format(Locale.ROOT, "%.1f", max)).append(unit).append("</text>")
                .append("<text x=\"4\" y=\"").append(h - bottom).append("\" font-size=\"10\">0</text>")
                .append("<line x1=\"").append(left).append("\" y1=\"").append(h - bottom).append("\" x2=\"").append(w - 4)
                .append("\" y2=\"").append(h - bottom).append("\" stroke=\"#999\"/>");
        if (times.size() < 2) {
            html.append("<text x=\"").append(left + 10).append("\" y=\"").append(h / 2)
                    .append("\" font-size=\"11\">collecting (a sample every 10 s)</text>");
        } else {
            long t0 = times.getFirst();
            long span = Math.max(1, times.getLast() - t0);
            double scale = max <= 0 ? 0 : (h - top - bottom) / max;
            for (int li = 0; li < lines.size(); li++) {
                var l = lines.get(li);
                html.append("<polyline fill=\"none\" stroke=\"").append(COLOURS[li % COLOURS.length])
                        .append("\" stroke-width=\"1.5\" points=\"");
                for (int i = 0; i < l.values().size() && i < times.size(); i++) {
                    double x = left + (double) (times.get(i) - t0) / span * (w - left - 4);
                    double y = h - bottom - l.values().get(i) * scale;
                    html.append(String.format(Locale.ROOT, "%.1f,%.1f ", x, y));
                }
                html.append("\"/>");
            }
        }
        for (int li = 0; li < lines.size(); li++) {
            var l = lines.get(li);
            double last = l.values().isEmpty() ? 0 : l.values().getLast();
            html.append("<text x=\"").append(left).append("\" y=\"").append(h + 12 + 16 * li)
                    .append("\" font-size=\"11\" fill=\"").append(COLOURS[li % COLOURS.length]).append("\">")
                    .append(escape(l.name())).append(": ").append(String.format(Locale.ROOT, "%.1f", last))
                    .append(unit).append("</text>");
        }
        html.append("</svg>\n");
    }

    private void memory(StringBuilder html) {
        html.append("<h2>Memory</h2>\n");
        MemoryReport report;
        try {
            report = memory.get();
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "status page: memory report failed", e);
            html.append("<p>(not available)</p>\n");
            return;
        }
        if (report == null) {
            html.append("<p>(not measured yet)</p>\n");
            return;
        }
        html.append("<table id=\"memory\"><tr><th>owner</th><th>MiB</th></tr>\n");
        row(html, "rss", report.rss());
        for (var e : report.owners().entrySet()) {
            row(html, e.getKey(), e.getValue());
        }
        html.append("</table>\n<p>NMT: ").append(report.nmtEnabled() ? "on" : "off")
                .append("; details at <code>/admin/memory</code>.</p>\n");
    }

    private static void row(StringBuilder html, String owner, long bytes) {
        html.append("<tr id=\"memory-").append(escape(owner)).append("\"><td>").append(escape(owner))
                .append("</td><td>").append(String.format(Locale.ROOT, "%.1f", (double) bytes / MIB))
                .append("</td></tr>\n");
    }

    static String escape(String s) {
        if (s == null) {
            return "";
        }
        var b = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '<' -> b.append("&lt;");
                case '>' -> b.append("&gt;");
                case '&' -> b.append("&amp;");
                case '"' -> b.append("&quot;");
                case '\'' -> b.append("&#39;");
                default -> b.append(c);
            }
        }
        return b.toString();
    }
}
