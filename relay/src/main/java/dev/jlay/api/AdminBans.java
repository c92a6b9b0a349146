package dev.jlay.api;

import dev.jlay.store.BanStore;
import dev.jlay.store.Storage;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

/** Admin: domain bans (a suffix bans the domain and every subdomain for requestCrawl). */
final class AdminBans {
    private final AdminAuth auth;
    private final Storage storage;

    AdminBans(AdminAuth auth, Storage storage) {
        this.auth = auth;
        this.storage = storage;
    }

    void register(HttpRouting.Builder http) {
        http.get("/admin/bans", auth.guard(this::list));
        http.post("/admin/bans", auth.guard(this::add));
        http.post("/admin/bans/remove", auth.guard(this::remove));
    }

    private void list(ServerRequest req, ServerResponse res) {
        var domains = Json.array();
        storage.bans().list().forEach(domains::add);
        var body = Json.object();
        body.set("domains", domains);
        Json.send(res, body);
    }

    private void add(ServerRequest req, ServerResponse res) {
        var domain = domain(req);
        boolean added = storage.bans().add(domain);
        storage.audit().record(AdminAuth.actor(req), "ban.add", domain, added ? "" : "already banned");
        Json.send(res, Json.object().put("domain", domain).put("added", added));
    }

    private void remove(ServerRequest req, ServerResponse res) {
        var domain = domain(req);
        boolean removed = storage.bans().remove(domain);
        storage.audit().record(AdminAuth.actor(req), "ban.remove", domain, removed ? "" : "was not banned");
        Json.send(res, Json.object().put("domain", domain).put("removed", removed));
    }

    private static String domain(ServerRequest req) {
        var raw = Json.text(Json.body(req), "domain");
        String domain;
        try {
            domain = BanStore.normalize(raw);
        } catch (IllegalArgumentException e) {
            throw XrpcException.invalidRequest("domain is empty");
        }
        if (!domain.matches("[a-z0-9.-]+") || domain.contains("..")) {
            throw XrpcException.invalidRequest("domain must be a DNS name or suffix, like example.com");
        }
        return domain;
    }
}
