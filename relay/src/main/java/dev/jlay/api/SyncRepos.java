package dev.jlay.api;

import dev.jlay.atproto.syntax.Tid;
import dev.jlay.store.Account;
import dev.jlay.store.RepoState;
import dev.jlay.store.Storage;
import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;

/**
 * The repo half of {@code com.atproto.sync.*}: listRepos, getRepoStatus, getLatestCommit and
 * getRepo (a 302 to the account's PDS: the relay keeps no repo CARs). State comes from
 * {@link Storage}: accounts for status, repo state for the latest commit.
 */
public final class SyncRepos {
    private static final String PREFIX = "/xrpc/com.atproto.sync.";

    private final Storage storage;
    private final boolean allowInsecureHosts;

    /** @param allowInsecureHosts getRepo redirects to http:// (tests, simulator) instead of https:// */
    public SyncRepos(Storage storage, boolean allowInsecureHosts) {
        this.storage = storage;
        this.allowInsecureHosts = allowInsecureHosts;
    }

    /** Accounts in DID order; those with no commit seen yet are left out (head and rev are required). */
    void listRepos(ServerRequest req, ServerResponse res) {
        int limit = Params.limit(req, 1, 1000, 500);
        var after = Params.didCursor(req).orElse(null);
        var page = storage.listRepos(after, limit); // one query for the page
        var repos = Json.array();
        for (var listed : page) {
            var view = RepoStatusView.of(listed.account());
            var repo = repos.addObject()
                    .put("did", listed.account().did())
                    .put("head", listed.repo().commit().toString())
                    .put("rev", listed.repo().rev())
                    .put("active", view.active());
            if (view.status() != null) {
                repo.put("status", view.status());
            }
        }
        var body = Json.object();
        if (page.size() == limit) {
            body.put("cursor", page.getLast().account().did());
        }
        body.set("repos", repos);
        Json.send(res, body);
    }

    void getRepoStatus(ServerRequest req, ServerResponse res) {
        var did = Params.did(req);
        var account = account(did);
        var view = RepoStatusView.of(account);
        var body = Json.object().put("did", did).put("active", view.active());
        if (view.status() != null) {
            body.put("status", view.status());
        }
        storage.repoState().get(did).ifPresent(s -> body.put("rev", s.rev()));
        Json.send(res, body);
    }

    void getLatestCommit(ServerRequest req, ServerResponse res) {
        var did = Params.did(req);
        var state = servable(did);
        Json.send(res, Json.object().put("cid", state.commit().toString()).put("rev", state.rev()));
    }

    void getRepo(ServerRequest req, ServerResponse res) {
        var did = Params.did(req);
        var since = Params.optional(req, "since");
        if (since.isPresent() && !Tid.isValid(since.get())) {
            throw XrpcException.invalidRequest("since must be a TID");
        }
        var account = account(did);
        var error = RepoStatusView.of(account).contentError(did);
        if (error != null) {
            throw error;
        }
        if (account.host() == null) {
            throw XrpcException.declared("RepoNotFound", "the PDS of " + did + " is not known");
        }
        var location = (allowInsecureHosts ? "http" : "https") + "://" + account.host() + PREFIX + "getRepo?did="
                + URLEncoder.encode(did, StandardCharsets.UTF_8)
                + since.map(s -> "&since=" + s).orElse("");
        res.status(Status.FOUND_302);
        res.header(HeaderNames.LOCATION, location);
        res.send();
    }

    private Account account(String did) {
        return storage.accounts().get(did)
                .orElseThrow(() -> XrpcException.declared("RepoNotFound", "repo " + did + " is not known"));
    }

    /** The repo's latest commit when its content may be served; otherwise the lexicon's error. */
    private RepoState servable(String did) {
        var error = RepoStatusView.of(account(did)).contentError(did);
        if (error != null) {
            throw error;
        }
        return storage.repoState().get(did)
                .orElseThrow(() -> XrpcException.declared("RepoNotFound", "no commit of " + did + " seen yet"));
    }
}
