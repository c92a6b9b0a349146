package dev.jlay.api;

import dev.jlay.jetstream.JetstreamService;
import io.helidon.http.Status;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

/**
 * The plain-HTTP side of {@code /subscribe}: a request that was not upgraded (no {@code Upgrade:
 * websocket}, or the upgrade was refused) gets the reason. Bad options are a 400 with Jetstream's
 * reason in the body, as Jetstream answers them before upgrading.
 */
public final class JetstreamEdge {
    private final JetstreamService jetstream;

    public JetstreamEdge(JetstreamService jetstream) {
        this.jetstream = jetstream;
    }

    void plainHttp(ServerRequest req, ServerResponse res) {
        if (!req.prologue().method().text().equals("GET")) {
            XrpcError.send(res, Status.METHOD_NOT_ALLOWED_405, "InvalidRequest", "/subscribe is a GET");
            return;
        }
        var refusal = jetstream.refusal(req.query().rawValue());
        if (refusal.isPresent()) {
            var r = refusal.get();
            XrpcError.send(res, Status.create(r.status()), r.status() == 503 ? "ConsumerLimit" : "InvalidRequest",
                    r.message());
            return;
        }
        XrpcError.send(res, Status.UPGRADE_REQUIRED_426, "InvalidRequest",
                "/subscribe is a WebSocket: send Upgrade: websocket");
    }
}
