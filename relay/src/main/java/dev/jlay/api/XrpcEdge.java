package dev.jlay.api;

import dev.jlay.store.StoreException;
import dev.jlay.upstream.CrawlAdmission;
import io.helidon.http.HeaderNames;
import io.helidon.http.HttpException;
import io.helidon.http.Status;
import io.helidon.webserver.http.HttpRouting;
import java.lang.System.Logger.Level;

/**
 * Installed once on the API routing (by {@link Routes}): where handler exceptions become XRPC error
 * bodies, and the {@code Server} header every API response carries. Only an {@link XrpcException}'s
 * message reaches the client; anything else (a store's error, the JVM's) is logged here and
 * answered with a fixed message, so no body carries a database's or the JVM's own words.
 */
public final class XrpcEdge {
    private static final System.Logger LOG = System.getLogger(XrpcEdge.class.getName());

    private XrpcEdge() {
    }

    static void install(HttpRouting.Builder http) {
        // names us as a relay, so another relay's crawl admission refuses to crawl us (no loops)
        http.addFilter((chain, req, res) -> {
            res.header(HeaderNames.SERVER, CrawlAdmission.SERVER_HEADER);
            chain.proceed();
        });
        http.error(XrpcException.class, (req, res, e) -> XrpcError.send(res, e.status(), e.error(), e.getMessage()));
        // the database is down: the relay keeps running; reads that need it say so
        http.error(StoreException.class, (req, res, e) -> {
            LOG.log(Level.WARNING, () -> "store error for " + req.path().path() + ": " + e.getMessage());
            LOG.log(Level.DEBUG, "store error for " + req.path().path(), e);
            XrpcError.send(res, Status.SERVICE_UNAVAILABLE_503, "ServiceUnavailable", "database unavailable");
        });
        // Helidon's own request errors (a body too large, a bad header) keep their status
        http.error(HttpException.class, (req, res, e) -> {
            LOG.log(Level.DEBUG, "request error for " + req.path().path(), e);
            var status = e.status();
            XrpcError.send(res, status, status.code() < 500 ? "InvalidRequest" : "InternalServerError",
                    status.reasonPhrase());
        });
        // a bug: the client learns nothing of it but that it happened
        http.error(RuntimeException.class, (req, res, e) -> {
            LOG.log(Level.ERROR, "handler failed for " + req.path().path(), e);
            XrpcError.send(res, Status.INTERNAL_SERVER_ERROR_500, "InternalServerError", "internal error");
        });
    }
}
