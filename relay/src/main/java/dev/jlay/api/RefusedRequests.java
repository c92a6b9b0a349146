package dev.jlay.api;

import dev.jlay.metrics.Counter;
import dev.jlay.metrics.MetricRegistry;
import io.helidon.webserver.http.HttpRouting;
import java.lang.System.Logger.Level;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * The API's refusals (4xx answers), counted as {@code relay_http_refused_total{reason}} and logged
 * at a bounded rate: anyone can send bad requests as fast as the socket takes them, and one log
 * line each would let them fill the disk and bury what matters. One line per interval says how
 * many were refused since the last line and shows the latest (path cut short, control
 * characters replaced).
 */
public final class RefusedRequests {
    private static final System.Logger LOG = System.getLogger(RefusedRequests.class.getName());
    static final long INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(60);
    private static final int MAX_PATH = 120;

    private enum Reason {
        BAD_REQUEST, UNAUTHORIZED, FORBIDDEN, NOT_FOUND, METHOD_NOT_ALLOWED, TOO_LARGE, RATE_LIMITED, OTHER;

        static Reason of(int code) {
            return switch (code) {
                case 400 -> BAD_REQUEST;
                case 401 -> UNAUTHORIZED;
                case 403 -> FORBIDDEN;
                case 404 -> NOT_FOUND;
                case 405 -> METHOD_NOT_ALLOWED;
                case 413, 414, 431 -> TOO_LARGE;
                case 429 -> RATE_LIMITED;
                default -> OTHER;
            };
        }
    }

    /** Set while a routed request's refusal was counted by the direct handlers: on the connection's thread. */
    private static final ThreadLocal<Boolean> COUNTED = new ThreadLocal<>();
    private final Counter[] counters = new Counter[Reason.values().length];
    private final LongSupplier nanos;
    private final AtomicLong nextLineNanos;
    private final AtomicLong sinceLastLine = new AtomicLong();

    public RefusedRequests(MetricRegistry metrics) {
        this(metrics, System::nanoTime);
    }

    RefusedRequests(MetricRegistry metrics, LongSupplier nanos) {
        for (var r : Reason.values()) {
            counters[r.ordinal()] = metrics.counter("relay_http_refused_total",
                    "API requests answered 4xx, by reason.", "reason", r.name().toLowerCase(java.util.Locale.ROOT));
        }
        this.nanos = nanos;
        this.nextLineNanos = new AtomicLong(nanos.getAsLong());
    }

    /** A filter on the API routing; the status is read once the handler (or its error handler) has answered. */
    public void register(HttpRouting.Builder http) {
        http.addFilter((chain, req, res) -> {
            COUNTED.remove();
            chain.proceed();
            // an HttpException (404 of an unknown path, ...) is answered through the direct handlers, which
            // counted it already (UnreadableRequests); the rest is counted here
            boolean counted = COUNTED.get() != null;
            COUNTED.remove();
            int code = res.status().code();
            if (!counted && code >= 400 && code < 500) {
                refused(code, req.prologue().method().text(), req.path().rawPath());
            }
        });
    }

    /** A refusal answered by the server's direct handlers, which run inside the routing filter for routed requests. */
    void refusedDirectly(int code, String method, String path) {
        COUNTED.set(Boolean.TRUE);
        refused(code, method, path);
    }

    /** One refusal: counted, and logged if the interval since the last line has passed. */
    public void refused(int code, String method, String path) {
        counters[Reason.of(code).ordinal()].increment();
        sinceLastLine.incrementAndGet();
        long now = nanos.getAsLong();
        long next = nextLineNanos.get();
        if (now - next >= 0 && nextLineNanos.compareAndSet(next, now + INTERVAL_NANOS)) {
            long count = sinceLastLine.getAndSet(0);
            LOG.log(Level.INFO, "refused " + count + " API request(s) since the last such line (counted in "
                    + "relay_http_refused_total); latest: " + code + " " + printable(method) + " " + printable(path));
        }
    }

    /** What a client sent, safe for one log line. */
    static String printable(String s) {
        var b = new StringBuilder(Math.min(s.length(), MAX_PATH) + 3);
        for (int i = 0; i < s.length() && i < MAX_PATH; i++) {
            char c = s.charAt(i);
            b.append(c < 0x20 || c == 0x7f || Character.isSurrogate(c) ? '?' : c);
        }
        if (s.length() > MAX_PATH) b.append("...");
        return b.toString();
    }
}
