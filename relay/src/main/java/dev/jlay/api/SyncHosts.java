package dev.jlay.api;

import java.lang.System.Logger.Level;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.jlay.store.Host;
import dev.jlay.store.HostStore;
import dev.jlay.upstream.CrawlAdmission;
import dev.jlay.upstream.CrawlRefusedException;
import io.helidon.http.Status;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

/** The host half of {@code com.atproto.sync.*}: listHosts, getHostStatus and requestCrawl. */
public final class SyncHosts {
    private static final System.Logger LOG = System.getLogger(SyncHosts.class.getName());

    private final HostStore hosts;
    private final CrawlAdmission admission;

    public SyncHosts(HostStore hosts, CrawlAdmission admission) {
        this.hosts = hosts;
        this.admission = admission;
    }

    /** Hosts in registration order; the cursor is the last host's id. */
    void listHosts(ServerRequest req, ServerResponse res) {
        int limit = Params.limit(req, 1, 1000, 200);
        long after = Params.idCursor(req);
        var page = hosts.list(after, limit);
        var list = Json.array();
        page.forEach(h -> list.add(view(h)));
        var body = Json.object();
        if (page.size() == limit) {
            body.put("cursor", Long.toString(page.getLast().id()));
        }
        body.set("hosts", list);
        Json.send(res, body);
    }

    void getHostStatus(ServerRequest req, ServerResponse res) {
        var raw = Params.required(req, "hostname");
        var hostname = Params.hostname("hostname", raw);
        var host = hosts.get(hostname)
                .orElseThrow(() -> XrpcException.declared("HostNotFound", "host " + raw + " is not known"));
        Json.send(res, view(host));
    }

    void requestCrawl(ServerRequest req, ServerResponse res) {
        var hostname = Json.text(Json.body(req), "hostname");
        try {
            var admitted = admission.admit(hostname);
            LOG.log(Level.INFO, "requestCrawl: admitted " + admitted.name());
        } catch (CrawlRefusedException e) {
            // refusals are counted and logged at a bounded rate by RefusedRequests; one line each would let
            // anyone flood the log
            LOG.log(Level.DEBUG, () -> "requestCrawl: refused " + hostname + ": " + e.getMessage());
            throw toXrpc(e);
        }
        res.status(Status.OK_200);
        res.send();
    }

    /** The one place a crawl refusal becomes an XRPC error. */
    static XrpcException toXrpc(CrawlRefusedException e) {
        return switch (e) {
            case CrawlRefusedException.InvalidHostname x -> XrpcException.invalidRequest(x.getMessage());
            case CrawlRefusedException.Banned x -> XrpcException.declared("HostBanned", x.getMessage());
            case CrawlRefusedException.ForbiddenAddress x -> XrpcException.invalidRequest(x.getMessage());
            case CrawlRefusedException.NotAServer x -> XrpcException.invalidRequest(x.getMessage());
            case CrawlRefusedException.RelayLoop x -> XrpcException.invalidRequest(x.getMessage());
            case CrawlRefusedException.TooManyNewHosts x ->
                    new XrpcException(Status.TOO_MANY_REQUESTS_429, "RateLimitExceeded", x.getMessage());
            case CrawlRefusedException.Busy x ->
                    new XrpcException(Status.TOO_MANY_REQUESTS_429, "RateLimitExceeded", x.getMessage());
            case CrawlRefusedException.AtCapacity x ->
                    new XrpcException(Status.SERVICE_UNAVAILABLE_503, "ServiceUnavailable", x.getMessage());
        };
    }

    static ObjectNode view(Host h) {
        return Json.object()
                .put("hostname", h.hostname())
                .put("seq", h.lastSeq())
                .put("accountCount", h.accountCount())
                .put("status", h.status().value());
    }
}
