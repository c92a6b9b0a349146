package dev.jlay.api;

import dev.jlay.eventlog.Sequencer;
import dev.jlay.store.DatabaseStatus;
import io.helidon.http.Status;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * {@code /_health}: 200 {@code {"status":"ok"}} only while the database answers, the event log
 * takes writes and, when any host is connected, events are being persisted; otherwise 503 with the
 * reason.
 *
 * <p>"Events are being persisted": the newest event in the log is younger than the staleness
 * window, or no host has been connected for that long yet (a relay that just (re)connected is
 * given one window for its first event; a relay with no host connected is idle, not broken).
 */
public final class Health {
    /**
     * What freshness is judged on, read per request.
     *
     * @param connectedHosts  hosts with an open connection now
     * @param connectedSince  when the longest of those connections opened (null with none)
     * @param lastEvent       when the newest event in the log was sequenced (null: the log is empty)
     */
    public record Flow(int connectedHosts, Instant connectedSince, Instant lastEvent) {
        public static final Flow NONE = new Flow(0, null, null);
    }

    private final Supplier<DatabaseStatus> database;
    private final Supplier<Optional<Sequencer.Stall>> eventLog;
    private final Supplier<Flow> flow;
    private final Duration staleAfter;
    private final Clock clock;

    /** Database only (no freshness condition). */
    public Health(Supplier<DatabaseStatus> database) {
        this(database, () -> Flow.NONE, Duration.ZERO, Clock.systemUTC());
    }

    /**
     * @param database   {@code storage::health}
     * @param staleAfter the window; zero turns the freshness condition off
     */
    public Health(Supplier<DatabaseStatus> database, Supplier<Flow> flow, Duration staleAfter, Clock clock) {
        this(database, Optional::empty, flow, staleAfter, clock);
    }

    /** @param eventLog {@code sequencer::stall}: present while the log refuses writes (disk full, say) */
    public Health(Supplier<DatabaseStatus> database, Supplier<Optional<Sequencer.Stall>> eventLog, Supplier<Flow> flow,
                  Duration staleAfter, Clock clock) {
        this.database = database;
        this.eventLog = eventLog;
        this.flow = flow;
        this.staleAfter = staleAfter;
        this.clock = clock;
    }

    void health(ServerRequest req, ServerResponse res) {
        var db = database.get();
        if (!db.healthy()) {
            res.status(Status.SERVICE_UNAVAILABLE_503);
            // the store logged the cause when it went down; a public endpoint does not repeat the driver's words
            Json.send(res, Json.object().put("status", "unhealthy").put("reason", "database unavailable")
                    .put("since", String.valueOf(db.since())).put("pendingWrites", db.pendingWrites()));
            return;
        }
        var stall = eventLog.get();
        if (stall.isPresent()) {
            // checked before staleness: it is the reason no event is being persisted
            res.status(Status.SERVICE_UNAVAILABLE_503);
            Json.send(res, Json.object().put("status", "unhealthy")
                    .put("reason", "event log refuses writes: " + stall.get().reason())
                    .put("since", stall.get().since().toString()).put("heldEvents", stall.get().heldEvents()));
            return;
        }
        var stale = stale();
        if (stale != null) {
            res.status(Status.SERVICE_UNAVAILABLE_503);
            Json.send(res, stale);
            return;
        }
        Json.send(res, Json.object().put("status", "ok"));
    }

    /** The 503 body when hosts are connected but no event was persisted within the window; else null. */
    private com.fasterxml.jackson.databind.node.ObjectNode stale() {
        if (staleAfter.isZero()) {
            return null;
        }
        var f = flow.get();
        if (f.connectedHosts() == 0 || f.connectedSince() == null) {
            return null;
        }
        var now = clock.instant();
        var cutoff = now.minus(staleAfter);
        if (f.connectedSince().isAfter(cutoff) || (f.lastEvent() != null && f.lastEvent().isAfter(cutoff))) {
            return null;
        }
        var body = Json.object().put("status", "unhealthy")
                .put("reason", "no events persisted for " + staleAfter.toSeconds() + " s while "
                        + f.connectedHosts() + (f.connectedHosts() == 1 ? " host is" : " hosts are") + " connected")
                .put("connectedHosts", f.connectedHosts());
        if (f.lastEvent() != null) {
            body.put("lastEvent", f.lastEvent().toString());
        }
        return body;
    }
}
