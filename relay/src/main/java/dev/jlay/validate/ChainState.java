package dev.jlay.validate;

/**
 * The per-account state validation reads and advances. Called from the DID's
 * own worker only, so one DID's reads and writes never race; implementations
 * must still be safe across DIDs. The live relay backs it with the store (hot
 * cache in front, batched writes); {@code verify} and tests use {@link InMemoryChainState}.
 */
public interface ChainState {

    /** The last accepted commit, or null when the repo was never seen. */
    RepoHead repo(String did);

    /**
     * Records an accepted #commit/#sync; {@code discontinuity} also counts a chain break on the account.
     * {@code host}: the connection it came in on (null offline).
     */
    void advance(String did, String host, RepoHead next, boolean discontinuity);

    /** The account's hosting status; {@link AccountState#ACTIVE} for an account never seen. */
    AccountState account(String did);

    /**
     * The account's hosting status as a frame from {@code host} (its DID's current PDS) meets it. The
     * live relay creates a new account here, on that host, so an account beyond the host's account
     * limit is throttled from its first event on. Default: {@link #account(String)}.
     */
    default AccountState account(String did, String host) {
        return account(did);
    }

    /** Records the upstream host's #account status. */
    void upstreamStatus(String did, String host, boolean active, String status);
}
