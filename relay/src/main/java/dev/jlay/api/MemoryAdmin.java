package dev.jlay.api;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.jlay.memory.GlibcMalloc;
import dev.jlay.memory.JfrMonitor;
import dev.jlay.memory.MemoryAccountant;
import dev.jlay.memory.MemoryMetrics;
import dev.jlay.memory.NativeMemoryTracking;
import dev.jlay.memory.Profiler;
import io.helidon.http.HeaderNames;
import io.helidon.http.HeaderValues;
import io.helidon.http.Status;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The memory half of the admin API (bearer token): where RSS is, malloc_trim, NMT
 * summary/baseline/diff, the last minutes of JFR, and on-demand profiles.
 */
public final class MemoryAdmin {
    private static final System.Logger LOG = System.getLogger(MemoryAdmin.class.getName());
    private static final ObjectMapper JSON = new ObjectMapper();

    private final MemoryAccountant accountant;
    private final MemoryMetrics memoryMetrics;
    private final JfrMonitor jfr;
    private final Profiler profiler;
    private final Path scratch;

    public MemoryAdmin(MemoryAccountant accountant, MemoryMetrics memoryMetrics, JfrMonitor jfr,
                       Profiler profiler, Path scratch) {
        this.accountant = accountant;
        this.memoryMetrics = memoryMetrics;
        this.jfr = jfr;
        this.profiler = profiler;
        this.scratch = scratch;
    }

    void memory(ServerRequest req, ServerResponse res) throws IOException {
        var body = new LinkedHashMap<String, Object>(memoryMetrics.refresh().toMap());
        body.put("jfr", jfr.snapshot(20));
        json(res, body);
    }

    void trim(ServerRequest req, ServerResponse res) throws IOException {
        var malloc = accountant.malloc();
        if (malloc.isEmpty()) {
            json(res, Map.of("trimmed", false, "message", "malloc_trim needs glibc"));
            return;
        }
        GlibcMalloc.TrimResult r = malloc.get().trim();
        memoryMetrics.refresh();
        json(res, Map.of("released", r.released(), "rss_before_bytes", r.rssBefore(),
                "rss_after_bytes", r.rssAfter(), "rss_returned_bytes", r.rssReturned(),
                "malloc_free_before_bytes", r.mallocFreeBefore(), "malloc_free_after_bytes", r.mallocFreeAfter()));
    }

    void nmt(ServerRequest req, ServerResponse res) throws IOException {
        NativeMemoryTracking nmt = accountant.nmt();
        if ("json".equals(req.query().first("format").orElse("text"))) {
            var summary = nmt.summary();
            json(res, summary.enabled()
                    ? Map.of("enabled", true, "malloc_bytes", summary.mallocBytes(),
                    "committed_bytes", summary.committedByCategory())
                    : Map.of("enabled", false, "message", NativeMemoryTracking.DISABLED_MESSAGE));
            return;
        }
        text(res, nmt.summaryText());
    }

    void nmtBaseline(ServerRequest req, ServerResponse res) {
        text(res, accountant.nmt().baseline());
    }

    void nmtDiff(ServerRequest req, ServerResponse res) {
        text(res, accountant.nmt().diffText());
    }

    void jfrDump(ServerRequest req, ServerResponse res) throws IOException {
        int minutes;
        try {
            minutes = Integer.parseInt(req.query().first("minutes").orElse("10"));
        } catch (NumberFormatException e) {
            minutes = -1;
        }
        if (minutes < 1 || minutes > 24 * 60) {
            XrpcError.send(res, Status.BAD_REQUEST_400, "InvalidRequest", "minutes must be 1..1440");
            return;
        }
        if (!jfr.started()) {
            XrpcError.send(res, Status.NOT_FOUND_404, "NotFound", "JFR streaming is off (memory.jfr: false)");
            return;
        }
        Files.createDirectories(scratch);
        Path file = Files.createTempFile(scratch, "jfr-", ".jfr");
        try {
            if (!jfr.dumpLast(Duration.ofMinutes(minutes), file)) {
                XrpcError.send(res, Status.NOT_FOUND_404, "NotFound", "no JFR data recorded yet");
                return;
            }
            res.header(HeaderNames.CONTENT_TYPE, "application/octet-stream");
            res.header(HeaderNames.CONTENT_DISPOSITION, "attachment; filename=\"jlay-last-" + minutes + "m.jfr\"");
            stream(res, file);
        } finally {
            Files.deleteIfExists(file);
        }
    }

    void profile(ServerRequest req, ServerResponse res) throws IOException, InterruptedException {
        Profiler.Event event;
        Profiler.Format format;
        int seconds;
        try {
            event = Profiler.event(req.query().first("event").orElse("cpu"));
            format = Profiler.format(req.query().first("format").orElse("html"));
            seconds = Integer.parseInt(req.query().first("seconds").orElse("30"));
        } catch (IllegalArgumentException e) {
            XrpcError.send(res, Status.BAD_REQUEST_400, "InvalidRequest",
                    "event must be alloc|cpu|wall|lock|nativemem, format html|jfr|collapsed, seconds a number");
            return;
        }
        if (seconds < 1 || seconds > profiler.maxDuration().toSeconds()) {
            XrpcError.send(res, Status.BAD_REQUEST_400, "InvalidRequest",
                    "seconds must be 1.." + profiler.maxDuration().toSeconds());
            return;
        }
        Path out;
        try {
            out = profiler.profile(event, Duration.ofSeconds(seconds), format);
        } catch (Profiler.BusyException e) {
            XrpcError.send(res, Status.CONFLICT_409, "ProfilerBusy", e.getMessage());
            return;
        } catch (IllegalStateException | IOException e) {
            LOG.log(System.Logger.Level.WARNING, "profiling failed", e);
            XrpcError.send(res, Status.INTERNAL_SERVER_ERROR_500, "ProfilerFailed", "profiling failed (see the relay's log)");
            return;
        }
        res.header(HeaderNames.CONTENT_TYPE, format.contentType());
        res.header(HeaderNames.CONTENT_DISPOSITION, "attachment; filename=\"" + out.getFileName() + "\"");
        stream(res, out);
    }

    private static void stream(ServerResponse res, Path file) throws IOException {
        res.send(Files.readAllBytes(file));
    }

    private static void json(ServerResponse res, Object body) throws IOException {
        res.header(HeaderValues.CONTENT_TYPE_JSON);
        res.send(JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(body));
    }

    private static void text(ServerResponse res, String body) {
        res.header(HeaderNames.CONTENT_TYPE, "text/plain; charset=utf-8");
        res.send(body);
    }
}
