package dev.jlay.api;

import dev.jlay.atproto.stream.AccountMessage;
import dev.jlay.atproto.stream.FirehoseCodec;
import dev.jlay.downstream.TakenDownRepos;
import dev.jlay.eventlog.EventKind;
import dev.jlay.store.Account;
import dev.jlay.store.LocalStatus;
import dev.jlay.store.Storage;
import io.helidon.http.Status;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.time.Clock;
import java.time.temporal.ChronoUnit;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Admin: repo takedown and its reversal. A takedown puts the DID in the firehose's
 * {@link TakenDownRepos} (consumers stop receiving its #commit/#sync events, earlier ones on
 * replay included), sets the account's local status (the pipeline then drops its commits and
 * syncs, and getLatestCommit/getRepo refuse it) and emits the relay's own {@code #account}
 * event (active=false, status=takendown), because status is reported hop by hop. A reversal
 * sets it back, takes the DID out of the set (replay serves its events again) and emits the
 * upstream status.
 */
final class AdminRepos {
    /** Appends a frame through the sequencer ({@code relay.events().sequencer()::append}). */
    @FunctionalInterface
    public interface EventAppender {
        CompletableFuture<Long> append(byte[] frame, EventKind kind, String did) throws InterruptedException;
    }

    private static final long APPEND_TIMEOUT_SECONDS = 10;

    private final Storage storage;
    private final EventAppender events;
    private final TakenDownRepos takedowns;
    private final Clock clock;

    AdminRepos(Storage storage, EventAppender events, TakenDownRepos takedowns, Clock clock) {
        this.storage = storage;
        this.events = events;
        this.takedowns = takedowns;
        this.clock = clock;
    }

    void takedown(ServerRequest req, ServerResponse res) {
        var did = did(req);
        // hidden first, so no consumer sends the repo's content once the status says takendown
        boolean added;
        try {
            added = takedowns.add(did);
        } catch (TakenDownRepos.FullException e) {
            throw new XrpcException(Status.SERVICE_UNAVAILABLE_503, "ServiceUnavailable", e.getMessage());
        }
        Account account;
        try {
            account = storage.accounts().setLocalStatus(did, LocalStatus.TAKENDOWN);
        } catch (RuntimeException e) {
            if (added) {
                takedowns.remove(did); // not taken down after all
            }
            throw e;
        }
        long seq = emit(account);
        storage.audit().record(AdminAuth.actor(req), "repo.takedown", did, "seq " + seq);
        Json.send(res, Json.object().put("did", did).put("status", "takendown").put("seq", seq));
    }

    void reverse(ServerRequest req, ServerResponse res) {
        var did = did(req);
        if (storage.accounts().get(did).isEmpty()) {
            throw XrpcException.declared("RepoNotFound", "repo " + did + " is not known");
        }
        var account = storage.accounts().setLocalStatus(did, LocalStatus.ACTIVE);
        takedowns.remove(did);
        long seq = emit(account);
        storage.audit().record(AdminAuth.actor(req), "repo.reverse-takedown", did, "seq " + seq);
        var view = RepoStatusView.of(account);
        var body = Json.object().put("did", did).put("active", view.active()).put("seq", seq);
        if (view.status() != null) {
            body.put("status", view.status());
        }
        Json.send(res, body);
    }

    void list(ServerRequest req, ServerResponse res) {
        int limit = Params.limit(req, 1, 1000, 200);
        var after = Params.didCursor(req).orElse(null);
        var page = storage.accounts().listByLocalStatus(LocalStatus.TAKENDOWN, after, limit);
        var repos = Json.array();
        page.forEach(a -> repos.addObject().put("did", a.did()).put("host", a.host())
                .put("since", String.valueOf(a.updatedAt())));
        var body = Json.object();
        if (page.size() == limit) {
            body.put("cursor", page.getLast().did());
        }
        body.set("repos", repos);
        Json.send(res, body);
    }

    /** The relay's own #account event for the account's status now; returns its seq once durable. */
    private long emit(Account account) {
        var view = RepoStatusView.of(account);
        var message = new AccountMessage(0, account.did(), clock.instant().truncatedTo(ChronoUnit.MILLIS).toString(),
                view.active(), view.active() ? null : view.status());
        try {
            return events.append(FirehoseCodec.encode(message), EventKind.ACCOUNT, account.did())
                    .get(APPEND_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new XrpcException(Status.SERVICE_UNAVAILABLE_503, "ServiceUnavailable", "interrupted");
        } catch (ExecutionException | TimeoutException e) {
            throw new XrpcException(Status.SERVICE_UNAVAILABLE_503, "ServiceUnavailable",
                    "status saved, but the #account event was not sequenced: " + e);
        }
    }

    private static String did(ServerRequest req) {
        var did = Json.text(Json.body(req), "did");
        if (!dev.jlay.atproto.syntax.Did.isValid(did)) {
            throw XrpcException.invalidRequest("did is not a valid DID");
        }
        return did;
    }

}
