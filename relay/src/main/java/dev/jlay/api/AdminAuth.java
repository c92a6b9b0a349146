package dev.jlay.api;

import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.webserver.http.Handler;
import io.helidon.webserver.http.ServerRequest;

/** The admin bearer token check (constant-time compare via {@link AdminToken#matches}); 401 otherwise. */
final class AdminAuth {
    private final String token;

    AdminAuth(String token) {
        this.token = token;
    }

    Handler guard(Handler handler) {
        return (req, res) -> {
            if (!authorized(req)) {
                res.header(HeaderNames.WWW_AUTHENTICATE, "Bearer");
                XrpcError.send(res, Status.UNAUTHORIZED_401, "AuthenticationRequired",
                        "admin endpoints need Authorization: Bearer <admin token>");
                return;
            }
            handler.handle(req, res);
        };
    }

    private boolean authorized(ServerRequest req) {
        var header = req.headers().first(HeaderNames.AUTHORIZATION).orElse("");
        var presented = header.regionMatches(true, 0, "Bearer ", 0, 7) ? header.substring(7).trim() : null;
        return AdminToken.matches(token, presented);
    }

    /** Who did an admin mutation, for the audit log: the token holder, by address. */
    static String actor(ServerRequest req) {
        return "admin@" + req.remotePeer().host();
    }
}
