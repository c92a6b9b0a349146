package dev.jlay.api;

import dev.jlay.jetstream.JetstreamService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

/** {@code GET /admin/jetstream}: the connected {@code /subscribe} clients with their filters (admin token). */
public final class AdminJetstream {
    private final JetstreamService jetstream;

    public AdminJetstream(JetstreamService jetstream) {
        this.jetstream = jetstream;
    }

    void list(ServerRequest req, ServerResponse res) {
        var list = Json.array();
        for (var c : jetstream.list()) {
            list.addObject()
                    .put("id", c.id())
                    .put("remoteAddress", c.remoteAddress())
                    .put("userAgent", c.userAgent())
                    .put("connectedAt", String.valueOf(c.connectedAt()))
                    .put("cursor", c.requestedCursor())
                    .put("compress", c.compress())
                    .put("filter", c.filter())
                    .put("lastSeq", c.lastSeq())
                    .put("lag", c.lagEvents())
                    .put("eventsSent", c.eventsSent())
                    .put("bytesSent", c.bytesSent());
        }
        var body = Json.object();
        body.set("connections", list);
        Json.send(res, body);
    }
}
