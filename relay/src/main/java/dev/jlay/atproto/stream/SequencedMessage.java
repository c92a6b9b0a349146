package dev.jlay.atproto.stream;

/** Messages that carry {@code seq}, an account DID and {@code time}. */
public sealed interface SequencedMessage extends RepoMessage
        permits CommitMessage, SyncMessage, IdentityMessage, AccountMessage {
    long seq();

    /** The account DID ({@code repo} on #commit, {@code did} elsewhere). */
    String did();

    String time();
}
