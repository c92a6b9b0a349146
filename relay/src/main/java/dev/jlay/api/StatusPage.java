package dev.jlay.api;

import dev.jlay.downstream.ConsumerSnapshot;
import dev.jlay.memory.MemoryReport;
import dev.jlay.store.HostStatus;
import dev.jlay.store.Storage;
import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.util.List;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * {@code /}: a plain server-rendered HTML page for a glance: last seq and events per second,
 * database health, hosts by status and the first hosts, connected consumers, a memory summary.
 * No scripts, no external assets; refreshes itself every 10 s, and each view is one sample of the
 * events-per-second rate.
 */
public final class StatusPage {
    private static final System.Logger LOG = System.getLogger(StatusPage.class.getName());
    static final int HOSTS_SHOWN = 100;
    static final int CONSUMERS_SHOWN = 100;
    private static final long MIB = 1L << 20;

    private final Storage storage;
    private final LongSupplier seq;
    private final Supplier<List<ConsumerSnapshot>> consumers;
    private final Supplier<MemoryReport> memory;
    private final SeqRate rate = new SeqRate();

    /**
     * @param seq       the last assigned seq ({@code relay.events().log()::lastSeq})
     * @param consumers {@code relay.subscribeRepos().consumers()::list}
     * @param memory    {@code MemoryAccountant::report}
     */
    public StatusPage(Storage storage, LongSupplier seq, Supplier<List<ConsumerSnapshot>> consumers,
                      Supplier<MemoryReport> memory) {
        this.storage = storage;
        this.seq = seq;
        this.consumers = consumers;
        this.memory = memory;
    }

    void page(ServerRequest req, ServerResponse res) {
        var html = new StringBuilder(8192);
        html.append("<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">")
                .append("<meta http-equiv=\"refresh\" content=\"10\"><title>jlay relay</title>")
                .append("<style>body{font-family:sans-serif;margin:2em}table{border-collapse:collapse}")
                .append("td,th{border:1px solid #ccc;padding:.2em .6em;text-align:left}</style></head><body>\n")
                .append("<h1>jlay relay</h1>\n");
        long now = seq.getAsLong();
        html.append("<p>Last seq: <strong id=\"seq\">").append(now).append("</strong>, events per second: ")
                .append("<strong id=\"events-per-second\">");
        var perSecond = rate.sample(System.nanoTime(), now);
        html.append(perSecond.isPresent() ? String.format(java.util.Locale.ROOT, "%.1f", perSecond.getAsDouble())
                : "measuring (reload)").append("</strong></p>\n");
        var db = storage.health();
        html.append("<p>Database: <strong id=\"database\">").append(db.healthy() ? "ok" : "unavailable")
                .append("</strong>");
        if (!db.healthy()) {
            html.append(" (").append(escape(db.reason())).append(")");
        }
        html.append("</p>\n");
        hosts(html, db.healthy());
        consumers(html);
        memory(html);
        html.append("</body></html>\n");
        res.header(HeaderNames.CONTENT_TYPE, "text/html; charset=utf-8");
        res.send(html.toString());
    }

    private void hosts(StringBuilder html, boolean dbHealthy) {
        html.append("<h2>Hosts</h2>\n");
        if (!dbHealthy) {
            html.append("<p>(not available while the database is down)</p>\n");
            return;
        }
        var counts = storage.hosts().countByStatus();
        html.append("<table id=\"host-counts\"><tr>");
        for (var s : HostStatus.values()) {
            html.append("<th>").append(s.value()).append("</th>");
        }
        html.append("</tr><tr>");
        for (var s : HostStatus.values()) {
            html.append("<td>").append(counts.getOrDefault(s, 0L)).append("</td>");
        }
        html.append("</tr></table>\n");
        var hosts = storage.hosts().list(0, HOSTS_SHOWN);
        html.append("<table id=\"hosts\"><tr><th>hostname</th><th>status</th><th>seq</th><th>accounts</th></tr>\n");
        for (var h : hosts) {
            html.append("<tr><td>").append(escape(h.hostname())).append("</td><td>").append(h.status().value())
                    .append("</td><td>").append(h.lastSeq()).append("</td><td>").append(h.accountCount())
                    .append("</td></tr>\n");
        }
        html.append("</table>\n");
        if (hosts.size() == HOSTS_SHOWN) {
            html.append("<p>(first ").append(HOSTS_SHOWN).append(" hosts; see listHosts for all)</p>\n");
        }
    }

    private void consumers(StringBuilder html) {
        var list = consumers.get();
        html.append("<h2>Consumers: <span id=\"consumer-count\">").append(list.size()).append("</span></h2>\n");
        html.append("<table id=\"consumers\"><tr><th>remote</th><th>user agent</th><th>last seq</th><th>lag</th>")
                .append("<th>frames sent</th></tr>\n");
        for (var c : list.subList(0, Math.min(list.size(), CONSUMERS_SHOWN))) {
            html.append("<tr><td>").append(escape(c.remoteAddress())).append("</td><td>")
                    .append(escape(c.userAgent())).append("</td><td>").append(c.lastSentSeq()).append("</td><td>")
                    .append(c.lag()).append("</td><td>").append(c.framesSent()).append("</td></tr>\n");
        }
        html.append("</table>\n");
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
                .append("</td><td>").append(String.format(java.util.Locale.ROOT, "%.1f", (double) bytes / MIB))
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
