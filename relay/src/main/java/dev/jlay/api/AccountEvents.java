package dev.jlay.api;

import dev.jlay.atproto.stream.AccountMessage;
import dev.jlay.atproto.stream.FirehoseCodec;
import dev.jlay.eventlog.EventKind;
import dev.jlay.store.Account;
import io.helidon.http.Status;
import java.time.Clock;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The relay's own {@code #account} events, for status changes it decides itself (status is
 * reported hop by hop): each goes through the sequencer like an upstream event, and is answered
 * with its seq once durable.
 */
public final class AccountEvents {
    private static final System.Logger LOG = System.getLogger(AccountEvents.class.getName());
    private static final long APPEND_TIMEOUT_SECONDS = 10;

    private final AdminRepos.EventAppender events;
    private final Clock clock;

    public AccountEvents(AdminRepos.EventAppender events, Clock clock) {
        this.events = events;
        this.clock = clock;
    }

    /** One #account per account, all sequenced before any is waited for; their seqs, in order. */
    List<Long> emit(List<Account> accounts) {
        var pending = new ArrayList<CompletableFuture<Long>>(accounts.size());
        try {
            for (var account : accounts) {
                pending.add(append(account));
            }
            var seqs = new ArrayList<Long>(pending.size());
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(APPEND_TIMEOUT_SECONDS);
            for (var f : pending) {
                seqs.add(f.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS));
            }
            return seqs;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new XrpcException(Status.SERVICE_UNAVAILABLE_503, "ServiceUnavailable", "interrupted");
        } catch (ExecutionException | TimeoutException e) {
            throw new XrpcException(Status.SERVICE_UNAVAILABLE_503, "ServiceUnavailable",
                    "status saved, but the #account events were not all sequenced: " + e);
        }
    }

    /**
     * The account's status as the pipeline changed it (the account limit), not waited for: the worker
     * that throttled the account goes on with its frames. A failed write is logged; the status stands
     * and getRepoStatus reports it.
     */
    public void announce(Account account) {
        try {
            append(account).whenComplete((seq, error) -> {
                if (error != null) {
                    LOG.log(System.Logger.Level.WARNING, "#account of " + account.did() + " ("
                            + account.effectiveStatus() + ") was not sequenced", error);
                }
            });
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt(); // shutting down: the worker sees it next
        }
    }

    /** The account's status as the sync lexicons show it ({@link RepoStatusView}), through the sequencer. */
    private CompletableFuture<Long> append(Account account) throws InterruptedException {
        var view = RepoStatusView.of(account);
        var message = new AccountMessage(0, account.did(), clock.instant().truncatedTo(ChronoUnit.MILLIS).toString(),
                view.active(), view.active() ? null : view.status());
        return events.append(FirehoseCodec.encode(message), EventKind.ACCOUNT, account.did());
    }
}
