package dev.jlay.validate;

import dev.jlay.atproto.cid.Cid;

/** The last accepted commit of a repo: what the next #commit must continue. */
public record RepoHead(String rev, Cid commit, Cid data) {}
