package dev.jlay.atproto.stream;

/** A decoded subscribeRepos frame. */
public sealed interface RepoMessage
        permits SequencedMessage, InfoMessage, ErrorMessage, UnknownMessage {

    /** Header {@code t} value, e.g. {@code #commit}; null for error frames. */
    String type();
}
