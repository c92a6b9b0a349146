package dev.jlay.api;

import dev.jlay.store.BanStore;
import dev.jlay.store.Storage;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

/** Admin: domain bans (a suffix bans the domain and every subdomain for requestCrawl). */
final class AdminBans {
    private final Storage storage;

    AdminBans(Storage storage) {
        this.storage = storage;
    }

    void list(ServerRequest req, ServerResponse res) {
        var domains = Json.array();
        storage.bans().list().forEach(domains::add);
        var body = Json.object();
        body.set("domains", domains);
        Json.send(res, body);
    }

    void add(ServerRequest req, ServerResponse res) {
        var domain = domain(req);
        boolean added = storage.bans().add(domain);
        storage.audit().record(AdminAuth.actor(req), "ban.add", domain, added ? "" : "already banned");
        Json.send(res, Json.object().put("domain", domain).put("added", added));
    }

    void remove(ServerRequest req, ServerResponse res) {
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
