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

    /**
     * The account, created on {@code host} when it is new: active while the host has room under its
     * account limit, locally {@code throttled} beyond it (trusted hosts have no limit).
     */
    Account ensure(String did, String host);

    /**
     * The account moved to another PDS. Creates it when unknown. It is admitted on the new host as a
     * new account would be (throttled or active by that host's room); a takedown or suspension stays.
     */
    Account setHost(String did, String host);

    Account setUpstreamStatus(String did, UpstreamStatus status);

    Account recordDiscontinuity(String did);

    /** Written before it returns; creates the account (with no host) when unknown. */
    Account setLocalStatus(String did, LocalStatus status);

    /**
     * After a host's account limit was raised (or it became trusted): its throttled accounts, oldest
     * first, become active while the host has room. Returns those changed (each needs an #account event).
     */
    List<Account> reactivateThrottled(String host);

    /** Accounts ordered by DID after {@code afterDid} (null = from the start); reflects flushed writes. */
    List<Account> list(String afterDid, int limit);

    /** Accounts with this local status, ordered by DID (e.g. the takedown list). */
    List<Account> listByLocalStatus(LocalStatus status, String afterDid, int limit);
}
