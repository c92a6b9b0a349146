package dev.jlay.sim;

import dev.jlay.atproto.crypto.Keypair;
import dev.jlay.atproto.repo.CommitResult;
import dev.jlay.atproto.repo.RepoWriter;
import dev.jlay.atproto.repo.Write;
import dev.jlay.atproto.syntax.TidClock;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * One simulated account: its DID, handle, signing key and real repository. Each
 * {@link #nextCommit} is a real signed commit (creates, updates and deletes over a
 * real MST). The record count is held near {@code maxRecords} so the tree, and the
 * simulator's memory, stay bounded however long it runs. Not thread-safe: one host
 * generator owns it.
 */
public final class SimAccount {
    static final List<String> COLLECTIONS = List.of("app.bsky.feed.post", "app.bsky.feed.like", "app.bsky.graph.follow");

    private final String did;
    private final String handle;
    private final Keypair key;
    private final TidClock clock;
    private final RepoWriter repo;
    private final int maxRecords;
    private final List<String> paths = new ArrayList<>();
    private long written;

    public SimAccount(String did, String handle, Keypair key, int clockId, int maxRecords) {
        this.did = did;
        this.handle = handle;
        this.key = key;
        this.clock = TidClock.system(clockId);
        this.repo = RepoWriter.create(did, key, clock);
        this.maxRecords = Math.max(1, maxRecords);
    }

    public String did() {
        return did;
    }

    public String handle() {
        return handle;
    }

    public Keypair key() {
        return key;
    }

    public RepoWriter repo() {
        return repo;
    }

    public int records() {
        return paths.size();
    }

    /** The first, empty commit. */
    public CommitResult genesis() {
        return repo.genesis();
    }

    /** A commit of one to four writes; creates dominate until the repo nears its record bound. */
    public CommitResult nextCommit(Random random) {
        int n = random.nextInt(8) == 0 ? 2 + random.nextInt(3) : 1;
        var writes = new ArrayList<Write>(n);
        var touched = new HashSet<String>();
        for (int i = 0; i < n; i++) {
            int roll = random.nextInt(100);
            boolean full = paths.size() >= maxRecords;
            if (!paths.isEmpty() && (full || roll < 15)) {
                int at = random.nextInt(paths.size());
                String path = paths.get(at);
                if (!touched.add(path)) continue;
                if (full || roll < 8) {
                    writes.add(Write.delete(path));
                    paths.set(at, paths.getLast());
                    paths.removeLast();
                } else {
                    writes.add(Write.update(path, record(path, random)));
                }
            } else {
                String collection = COLLECTIONS.get(random.nextInt(COLLECTIONS.size()));
                String path = collection + "/" + clock.next();
                touched.add(path);
                writes.add(Write.create(path, record(path, random)));
                paths.add(path);
            }
        }
        return repo.apply(writes);
    }

    private Map<String, Object> record(String path, Random random) {
        var m = new LinkedHashMap<String, Object>();
        m.put("$type", path.substring(0, path.indexOf('/')));
        m.put("text", "simulated record " + (++written) + " of " + handle + " #" + Long.toString(random.nextLong() & 0xffffff, 36));
        m.put("createdAt", EventTime.now());
        return m;
    }
}
