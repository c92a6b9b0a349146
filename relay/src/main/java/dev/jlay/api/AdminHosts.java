package dev.jlay.api;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.jlay.store.Host;
import dev.jlay.store.HostLimits;
import dev.jlay.store.Storage;
import dev.jlay.upstream.HostConnectionStatus;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.util.Locale;
import java.util.Optional;

/**
 * Admin: hosts with their live connection stats; block, unblock, change limits, and crawl a host
 * bypassing the public requestCrawl checks (the operator decides). Raising a host's account limit
 * (or trusting it) re-activates its throttled accounts up to the new room, oldest first, and emits
 * the relay's own {@code #account} (active) for each.
 */
public final class AdminHosts {
    /** The host lifecycle the admin API drives ({@code HostService} in the relay). */
    public interface Control {
        void crawl(String hostname);

        void block(String hostname);

        void unblock(String hostname);

        /** Stores the limits and applies them to the running connection. */
        void setLimits(String hostname, HostLimits limits);

        /** The live connection, when the host is being read. */
        Optional<HostConnectionStatus> status(String hostname);
    }

    private final AdminAuth auth;
    private final Storage storage;
    private final Control control;
    private final AccountEvents accountEvents;

    AdminHosts(AdminAuth auth, Storage storage, Control control, AccountEvents accountEvents) {
        this.auth = auth;
        this.storage = storage;
        this.control = control;
        this.accountEvents = accountEvents;
    }

    void register(HttpRouting.Builder http) {
        http.get("/admin/hosts", auth.guard(this::list));
        http.post("/admin/hosts/block", auth.guard(this::block));
        http.post("/admin/hosts/unblock", auth.guard(this::unblock));
        http.post("/admin/hosts/limits", auth.guard(this::limits));
        http.post("/admin/hosts/crawl", auth.guard(this::crawl));
    }

    private void list(ServerRequest req, ServerResponse res) {
        int limit = Params.limit(req, 1, 1000, 200);
        long after = Params.optional(req, "cursor").map(AdminHosts::cursor).orElse(0L);
        var page = storage.hosts().list(after, limit);
        var hosts = Json.array();
        for (var h : page) {
            hosts.add(view(h));
        }
        var body = Json.object();
        if (page.size() == limit) {
            body.put("cursor", Long.toString(page.getLast().id()));
        }
        body.set("hosts", hosts);
        Json.send(res, body);
    }

    private ObjectNode view(Host h) {
        var node = SyncHosts.view(h)
                .put("id", h.id())
                .put("trusted", h.trusted())
                .put("createdAt", String.valueOf(h.createdAt()));
        node.putObject("limits")
                .put("accountLimit", h.limits().accountLimit())
                .put("eventsPerSecond", h.limits().eventsPerSecond())
                .put("eventsPerHour", h.limits().eventsPerHour())
                .put("eventsPerDay", h.limits().eventsPerDay());
        control.status(h.hostname()).ifPresent(s -> {
            var live = node.putObject("connection")
                    .put("state", s.state().name().toLowerCase(Locale.ROOT))
                    .put("lastSeq", s.lastSeq())
                    .put("framesReceived", s.framesReceived())
                    .put("framesForwarded", s.framesForwarded())
                    .put("bytesReceived", s.bytesReceived())
                    .put("connects", s.connects())
                    .put("failures", s.failures())
                    .put("throttled", s.throttled());
            if (s.connectedSince() != null) {
                live.put("connectedSince", s.connectedSince().toString());
            }
            if (s.backoffUntil() != null) {
                live.put("backoffUntil", s.backoffUntil().toString());
            }
            if (s.lastError() != null) {
                live.put("lastError", s.lastError());
            }
            var drops = live.putObject("drops");
            s.drops().forEach((reason, n) -> drops.put(reason.name().toLowerCase(Locale.ROOT), n));
        });
        return node;
    }

    private void block(ServerRequest req, ServerResponse res) {
        var hostname = known(Json.text(Json.body(req), "hostname"));
        control.block(hostname);
        storage.audit().record(AdminAuth.actor(req), "host.block", hostname, "");
        Json.send(res, view(storage.hosts().get(hostname).orElseThrow()));
    }

    private void unblock(ServerRequest req, ServerResponse res) {
        var hostname = known(Json.text(Json.body(req), "hostname"));
        control.unblock(hostname);
        storage.audit().record(AdminAuth.actor(req), "host.unblock", hostname, "");
        Json.send(res, view(storage.hosts().get(hostname).orElseThrow()));
    }

    /** Changes only the limits given; the others keep their values. */
    private void limits(ServerRequest req, ServerResponse res) {
        var body = Json.body(req);
        var hostname = known(Json.text(body, "hostname"));
        var host = storage.hosts().get(hostname).orElseThrow();
        var old = host.limits();
        HostLimits limits;
        try {
            limits = new HostLimits(
                    number(body, "accountLimit", old.accountLimit()),
                    number(body, "eventsPerSecond", old.eventsPerSecond()),
                    number(body, "eventsPerHour", old.eventsPerHour()),
                    number(body, "eventsPerDay", old.eventsPerDay()));
        } catch (IllegalArgumentException e) {
            throw XrpcException.invalidRequest(e.getMessage());
        }
        var trusted = body.get("trusted");
        if (trusted != null && !trusted.isBoolean()) {
            throw XrpcException.invalidRequest("trusted must be true or false");
        }
        control.setLimits(hostname, limits);
        var detail = new StringBuilder(limits.toString());
        if (trusted != null) {
            storage.hosts().setTrusted(hostname, trusted.asBoolean());
            detail.append(" trusted=").append(trusted.asBoolean());
        }
        // a higher limit (or trust) re-activates throttled accounts, each announced by an #account event
        var reactivated = storage.accounts().reactivateThrottled(hostname);
        if (!reactivated.isEmpty()) {
            detail.append(" reactivated=").append(reactivated.size());
        }
        storage.audit().record(AdminAuth.actor(req), "host.limits", hostname, detail.toString());
        var seqs = accountEvents.emit(reactivated);
        var out = view(storage.hosts().get(hostname).orElseThrow());
        var list = out.putArray("reactivated");
        for (int i = 0; i < reactivated.size(); i++) {
            list.addObject().put("did", reactivated.get(i).did()).put("seq", seqs.get(i));
        }
        Json.send(res, out);
    }

    /** Starts reading a host with none of requestCrawl's public checks (bans, SSRF, probe, daily limit). */
    private void crawl(ServerRequest req, ServerResponse res) {
        var raw = Json.text(Json.body(req), "hostname").strip().toLowerCase(Locale.ROOT);
        if (raw.isEmpty() || raw.chars().anyMatch(c -> c <= ' ' || c == '/' || c == '?' || c == '#' || c == '@')) {
            throw XrpcException.invalidRequest("hostname must be host or host:port");
        }
        control.crawl(raw);
        storage.audit().record(AdminAuth.actor(req), "host.crawl", raw, "admin crawl, public checks bypassed");
        var host = storage.hosts().get(raw);
        Json.send(res, host.map(this::view).orElseGet(() -> Json.object().put("hostname", raw)));
    }

    private String known(String hostname) {
        var h = hostname.strip().toLowerCase(Locale.ROOT);
        // no host has a control character in its name; PostgreSQL would refuse a NUL in a text
        // parameter, and the store's error is not the client's business
        if (h.chars().anyMatch(c -> c < 0x20 || c == 0x7f) || storage.hosts().get(h).isEmpty()) {
            throw XrpcException.declared("HostNotFound", "host " + hostname + " is not known");
        }
        return h;
    }

    private static long number(ObjectNode body, String field, long dflt) {
        var v = body.get(field);
        if (v == null || v.isNull()) {
            return dflt;
        }
        if (!v.canConvertToLong() || !v.isIntegralNumber()) {
            throw XrpcException.invalidRequest(field + " must be a whole number");
        }
        return v.asLong();
    }

    private static long cursor(String raw) {
        try {
            long v = Long.parseLong(raw);
            if (v >= 0) {
                return v;
            }
        } catch (NumberFormatException e) {
            // falls through
        }
        throw XrpcException.invalidRequest("cursor is not valid");
    }
}
