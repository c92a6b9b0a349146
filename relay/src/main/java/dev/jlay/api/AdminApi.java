package dev.jlay.api;

import dev.jlay.downstream.ConsumerSnapshot;
import dev.jlay.downstream.TakenDownRepos;
import dev.jlay.store.Storage;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.time.Clock;
import java.util.List;
import java.util.function.Supplier;

/**
 * The relay-operations half of the admin API (the memory half is {@link MemoryAdmin}), all behind
 * the bearer token: hosts ({@link AdminHosts}), domain bans ({@link AdminBans}), takedowns
 * ({@link AdminRepos}), connected consumers and the audit log. Every mutation is audited.
 */
public final class AdminApi {
    private final AdminAuth auth;
    private final Storage storage;
    private final AdminHosts hosts;
    private final AdminBans bans;
    private final AdminRepos repos;
    private final Supplier<List<ConsumerSnapshot>> consumers;

    /**
     * @param events    {@code relay.events().sequencer()::append}
     * @param consumers {@code relay.subscribeRepos().consumers()::list}
     */
    public AdminApi(String token, Storage storage, AdminHosts.Control hostControl, AdminRepos.EventAppender events,
                    Supplier<List<ConsumerSnapshot>> consumers, Clock clock) {
        this(token, storage, hostControl, events, new TakenDownRepos(100_000), consumers, clock);
    }

    /** @param takedowns {@code relay.subscribeRepos().takedowns()}: what the firehose hides */
    public AdminApi(String token, Storage storage, AdminHosts.Control hostControl, AdminRepos.EventAppender events,
                    TakenDownRepos takedowns, Supplier<List<ConsumerSnapshot>> consumers, Clock clock) {
        this.auth = new AdminAuth(token);
        this.storage = storage;
        this.hosts = new AdminHosts(storage, hostControl, new AccountEvents(events, clock));
        this.bans = new AdminBans(storage);
        this.repos = new AdminRepos(storage, events, takedowns, clock);
        this.consumers = consumers;
    }

    /** The admin handler objects for {@link Routes}: the token check, this, hosts, bans and takedowns. */
    List<Object> handlers() {
        return List.of(auth, this, hosts, bans, repos);
    }

    void consumers(ServerRequest req, ServerResponse res) {
        var list = Json.array();
        for (var c : consumers.get()) {
            var node = list.addObject()
                    .put("id", c.id())
                    .put("remoteAddress", c.remoteAddress())
                    .put("userAgent", c.userAgent())
                    .put("connectedAt", String.valueOf(c.connectedAt()))
                    .put("lastSentSeq", c.lastSentSeq())
                    .put("lag", c.lag())
                    .put("framesSent", c.framesSent());
            if (c.requestedCursor() != null) {
                node.put("cursor", c.requestedCursor());
            }
        }
        var body = Json.object();
        body.set("consumers", list);
        Json.send(res, body);
    }

    void audit(ServerRequest req, ServerResponse res) {
        int limit = Params.limit(req, 1, 1000, 100);
        var entries = Json.array();
        for (var e : storage.audit().recent(limit)) {
            entries.addObject()
                    .put("id", e.id())
                    .put("at", String.valueOf(e.at()))
                    .put("actor", e.actor())
                    .put("action", e.action())
                    .put("target", e.target())
                    .put("detail", e.detail());
        }
        var body = Json.object();
        body.set("entries", entries);
        Json.send(res, body);
    }
}
