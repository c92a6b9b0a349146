package dev.jlay.api;

import dev.jlay.jetstream.JetstreamService;
import io.helidon.http.Status;
import io.helidon.webserver.http.HttpRouting;

/**
 * The API socket reads a request line up to {@code http.max-request-line-bytes} so that
 * {@code /subscribe} takes Jetstream's 10,000 {@code wantedDids} in its URL; every other path keeps
 * Helidon's default of 4 KiB and answers 414 past it, as before. Helidon's own query parsing costs
 * time that grows faster than the number of parameters (a half-megabyte URL of tiny ones: seconds
 * of CPU), so a long URL is let through only where the query is read in one pass
 * ({@code JetstreamQuery}).
 */
public final class RequestLineLimit {
    /** Helidon's default request-line bound: path and query of every path but /subscribe. */
    public static final int OTHER_PATHS = 4096;

    private RequestLineLimit() {
    }

    static void register(HttpRouting.Builder http) {
        http.addFilter((chain, req, res) -> {
            if (tooLong(req.path().rawPath(), req.query().rawValue())) {
                XrpcError.send(res, Status.REQUEST_URI_TOO_LONG_414, "InvalidRequest",
                        "URL longer than " + OTHER_PATHS + " bytes (only /subscribe takes longer ones)");
                return;
            }
            chain.proceed();
        });
    }

    /** Whether a request to {@code rawPath} with this raw query is refused for its length. */
    public static boolean tooLong(String rawPath, String rawQuery) {
        return !rawPath.equals(JetstreamService.PATH) && rawPath.length() + 1 + rawQuery.length() > OTHER_PATHS;
    }
}
