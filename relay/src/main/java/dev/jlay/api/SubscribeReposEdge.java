package dev.jlay.api;

import dev.jlay.downstream.Cursor;
import dev.jlay.downstream.SubscribeRepos;
import io.helidon.http.Status;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

/**
 * The plain-HTTP side of {@code subscribeRepos}: a request to the path that was not upgraded (no
 * {@code Upgrade: websocket}, or {@link SubscribeRepos} refused the upgrade) gets the reason as an
 * XRPC error. Here, not in downstream, so the firehose knows nothing of XRPC error bodies.
 */
public final class SubscribeReposEdge {
    private final SubscribeRepos firehose;

    public SubscribeReposEdge(SubscribeRepos firehose) {
        this.firehose = firehose;
    }

    void plainHttp(ServerRequest req, ServerResponse res) {
        if (!req.prologue().method().text().equals("GET")) {
            XrpcError.send(res, Status.METHOD_NOT_ALLOWED_405, "InvalidRequest", "subscribeRepos is a GET");
            return;
        }
        try {
            Cursor.parse(req.query().first("cursor").orElse(null));
        } catch (Cursor.InvalidCursorException e) {
            XrpcError.send(res, Status.BAD_REQUEST_400, "InvalidRequest", e.getMessage());
            return;
        }
        if (firehose.full()) {
            XrpcError.send(res, Status.SERVICE_UNAVAILABLE_503, "ConsumerLimit", "too many consumers");
            return;
        }
        XrpcError.send(res, Status.UPGRADE_REQUIRED_426, "InvalidRequest",
                "subscribeRepos is a WebSocket: send Upgrade: websocket");
    }
}
