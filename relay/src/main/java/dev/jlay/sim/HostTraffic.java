package dev.jlay.sim;

import dev.jlay.atproto.stream.AccountMessage;
import dev.jlay.atproto.stream.FirehoseCodec;
import dev.jlay.atproto.stream.IdentityMessage;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Random;

/**
 * What one PDS emits, as firehose frames with a placeholder seq (the host stamps the
 * real one when it sends): first, per account, {@code #identity}, {@code #account} and
 * the genesis {@code #commit}; then mostly commits of random accounts with now and
 * then an {@code #identity}, an {@code #account} (active) or a {@code #sync} of the
 * current state. Deterministic for a seed apart from timestamps. Not thread-safe.
 */
public final class HostTraffic implements FrameSource {
    /** The seq every generated frame carries until the host stamps it. */
    static final long PLACEHOLDER_SEQ = 1;

    /** Per mille of events that are #identity / #account / #sync (the rest are commits). */
    public record Mix(int identity, int account, int sync) {
        public static final Mix DEFAULT = new Mix(10, 10, 10);
        public static final Mix COMMITS_ONLY = new Mix(0, 0, 0);
    }

    private final List<SimAccount> accounts;
    private final Random random;
    private final Mix mix;
    private final ArrayDeque<byte[]> pending = new ArrayDeque<>();

    public HostTraffic(List<SimAccount> accounts, long seed, Mix mix) {
        if (accounts.isEmpty()) throw new IllegalArgumentException("a host needs at least one account");
        this.accounts = List.copyOf(accounts);
        this.random = new Random(seed);
        this.mix = mix;
        for (SimAccount a : this.accounts) {
            pending.add(identity(a));
            pending.add(FirehoseCodec.encode(new AccountMessage(PLACEHOLDER_SEQ, a.did(), EventTime.now(), true, null)));
            pending.add(FirehoseCodec.encode(a.genesis().toMessage(PLACEHOLDER_SEQ, EventTime.now())));
        }
    }

    public List<SimAccount> accounts() {
        return accounts;
    }

    @Override
    public byte[] next() {
        byte[] queued = pending.poll();
        if (queued != null) return queued;
        SimAccount a = accounts.get(random.nextInt(accounts.size()));
        int roll = random.nextInt(1000);
        if (roll < mix.identity()) return identity(a);
        roll -= mix.identity();
        if (roll < mix.account()) {
            return FirehoseCodec.encode(new AccountMessage(PLACEHOLDER_SEQ, a.did(), EventTime.now(), true, null));
        }
        roll -= mix.account();
        if (roll < mix.sync()) return FirehoseCodec.encode(a.repo().syncMessage(PLACEHOLDER_SEQ, EventTime.now()));
        return FirehoseCodec.encode(a.nextCommit(random).toMessage(PLACEHOLDER_SEQ, EventTime.now()));
    }

    private static byte[] identity(SimAccount a) {
        return FirehoseCodec.encode(new IdentityMessage(PLACEHOLDER_SEQ, a.did(), EventTime.now(), a.handle()));
    }
}
