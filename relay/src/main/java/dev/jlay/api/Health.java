package dev.jlay.api;

import dev.jlay.store.DatabaseStatus;
import io.helidon.http.Status;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.util.function.Supplier;

/** {@code /_health}: 200 {@code {"status":"ok"}} while the database answers, else 503 with the reason. */
public final class Health {
    private final Supplier<DatabaseStatus> database;

    /** @param database {@code storage::health} */
    public Health(Supplier<DatabaseStatus> database) {
        this.database = database;
    }

    public void register(HttpRouting.Builder http) {
        http.get("/_health", this::health);
    }

    private void health(ServerRequest req, ServerResponse res) {
        var db = database.get();
        if (db.healthy()) {
            Json.send(res, Json.object().put("status", "ok"));
            return;
        }
        res.status(Status.SERVICE_UNAVAILABLE_503);
        Json.send(res, Json.object().put("status", "unhealthy").put("reason", db.reason())
                .put("since", String.valueOf(db.since())).put("pendingWrites", db.pendingWrites()));
    }
}
