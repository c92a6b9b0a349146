package dev.jlay.store;

import java.util.List;
import java.util.Optional;

/**
 * Accounts and their statuses. Reads come from a bounded cache. Changes the
 * pipeline makes per frame ({@link #ensure}, {@link #setHost},
 * {@link #setUpstreamStatus}, {@link #recordDiscontinuity}) are batched to the
 * database; {@link #setLocalStatus} (an admin decision) is written at once.
 */
public interface AccountStore {
    Optional<Account> get(String did);

    /** The account, created (active/active on {@code host}) when it is new. */
    Account ensure(String did, String host);

    /** The account moved to another PDS. Creates it when unknown. */
    Account setHost(String did, String host);

    Account setUpstreamStatus(String did, UpstreamStatus status);

    Account recordDiscontinuity(String did);

    /** Written before it returns; creates the account (with no host) when unknown. */
    Account setLocalStatus(String did, LocalStatus status);

    /** Accounts ordered by DID after {@code afterDid} (null = from the start); reflects flushed writes. */
    List<Account> list(String afterDid, int limit);

    /** Accounts with this local status, ordered by DID (e.g. the takedown list). */
    List<Account> listByLocalStatus(LocalStatus status, String afterDid, int limit);
}
