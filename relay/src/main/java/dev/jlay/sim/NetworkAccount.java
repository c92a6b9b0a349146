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
 * An account of the network-shaped simulator while it is live: a real repository kept small
 * (at most {@code maxRecords} records, so one MST node or two), with records shaped like the
 * network's (mostly likes, then reposts, posts and follows; shared/realworld). Rebuilt from the
 * account's seed whenever it goes live again, so nothing of it is kept while it is cold.
 */
final class NetworkAccount {
    /** Collections by share of real commits (shared/realworld: 69 % likes, 12 reposts, 10 posts, 8 follows). */
    private static final String[] COLLECTIONS = {"app.bsky.feed.like", "app.bsky.feed.repost", "app.bsky.feed.post",
            "app.bsky.graph.follow", "app.bsky.graph.block"};
    private static final int[] PER_MILLE = {690, 120, 100, 80, 10};
    private static final String WORDS = "the relay carries every commit of every account on the network to each "
            + "consumer once and in order while hosts come and go and keys rotate";

    private final int index;
    private final String did;
    private final String handle;
    private final RepoWriter repo;
    private final TidClock clock;
    private final int maxRecords;
    private final List<String> paths = new ArrayList<>();

    NetworkAccount(int index, String did, String handle, Keypair key, int maxRecords) {
        this.index = index;
        this.did = did;
        this.handle = handle;
        this.clock = TidClock.system(index & 1023);
        this.repo = RepoWriter.create(did, key, clock);
        this.maxRecords = Math.max(2, maxRecords);
    }

    int index() {
        return index;
    }

    String did() {
        return did;
    }

    String handle() {
        return handle;
    }

    RepoWriter repo() {
        return repo;
    }

    CommitResult genesis() {
        return repo.genesis();
    }

    /** A commit of 1 op mostly, up to 5 now and then (a thread, a batch of follows). */
    CommitResult nextCommit(Random random) {
        int n = random.nextInt(10) == 0 ? 2 + random.nextInt(4) : 1;
        var writes = new ArrayList<Write>(n);
        var touched = new HashSet<String>();
        for (int i = 0; i < n; i++) {
            boolean full = paths.size() >= maxRecords;
            int roll = random.nextInt(100);
            if (!paths.isEmpty() && (full || roll < 12)) {
                int at = random.nextInt(paths.size());
                String path = paths.get(at);
                if (!touched.add(path)) continue;
                if (full || roll < 9) {
                    writes.add(Write.delete(path));
                    paths.set(at, paths.getLast());
                    paths.removeLast();
                } else {
                    writes.add(Write.update(path, record(collectionOf(path), random)));
                }
            } else {
                String collection = pick(random);
                String path = collection + "/" + clock.next();
                touched.add(path);
                writes.add(Write.create(path, record(collection, random)));
                paths.add(path);
            }
        }
        if (writes.isEmpty()) {
            String path = COLLECTIONS[0] + "/" + clock.next();
            writes.add(Write.create(path, record(COLLECTIONS[0], random)));
            paths.add(path);
        }
        return repo.apply(writes);
    }

    private static String collectionOf(String path) {
        return path.substring(0, path.indexOf('/'));
    }

    private static String pick(Random random) {
        int roll = random.nextInt(1000);
        for (int i = 0; i < COLLECTIONS.length; i++) {
            if (roll < PER_MILLE[i]) return COLLECTIONS[i];
            roll -= PER_MILLE[i];
        }
        return COLLECTIONS[0];
    }

    private Map<String, Object> record(String collection, Random random) {
        var m = new LinkedHashMap<String, Object>();
        m.put("$type", collection);
        switch (collection) {
            case "app.bsky.feed.post" -> {
                // post text: most short, a long tail up to the 300-character limit
                int len = (int) Math.min(300, 10 + Math.exp(3.5 + random.nextGaussian()));
                var text = new StringBuilder(len);
                while (text.length() < len) {
                    int from = random.nextInt(WORDS.length() - 12);
                    text.append(WORDS, from, from + 12);
                }
                m.put("text", text.substring(0, len));
                m.put("langs", List.of("en"));
            }
            case "app.bsky.graph.follow", "app.bsky.graph.block" ->
                    m.put("subject", "did:plc:" + Long.toString(random.nextLong() & Long.MAX_VALUE, 32));
            default -> {
                var subject = new LinkedHashMap<String, Object>();
                subject.put("cid", "bafyreig" + Long.toString(random.nextLong() & Long.MAX_VALUE, 32)
                        + Long.toString(random.nextLong() & Long.MAX_VALUE, 32));
                subject.put("uri", "at://did:plc:" + Long.toString(random.nextLong() & Long.MAX_VALUE, 32)
                        + "/app.bsky.feed.post/" + clock.next());
                m.put("subject", subject);
            }
        }
        m.put("createdAt", EventTime.now());
        return m;
    }
}
