package dev.jlay.store;

/** An account with its latest accepted commit: one entry of listRepos. */
public record ListedRepo(Account account, RepoState repo) {
}
