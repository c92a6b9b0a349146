package dev.jlay.validate;

import dev.jlay.atproto.ProtocolException;
import dev.jlay.atproto.car.Car;
import dev.jlay.atproto.car.CarReader;
import dev.jlay.atproto.cid.Cid;
import dev.jlay.atproto.crypto.PublicKey;
import dev.jlay.atproto.mst.InversionResult;
import dev.jlay.atproto.mst.Mst;
import dev.jlay.atproto.mst.MstInversion;
import dev.jlay.atproto.repo.Commit;
import dev.jlay.atproto.stream.AccountMessage;
import dev.jlay.atproto.stream.CommitMessage;
import dev.jlay.atproto.stream.IdentityMessage;
import dev.jlay.atproto.stream.SequencedMessage;
import dev.jlay.atproto.stream.SyncMessage;
import dev.jlay.atproto.syntax.Tid;
import java.net.URI;
import java.time.Clock;
import java.util.List;
import java.util.Objects;

/**
 * Sync v1.1 validation of one decoded message (digest section 7), reading the
 * stored chain state but never writing it: the caller applies {@link Checked#update()}
 * once the frame is accepted. Pure apart from the clock: no I/O, no identity
 * lookups (the caller passes the DID's current key and PDS), so the live pipeline,
 * {@code verify} and the tests all run exactly this code.
 */
public final class FrameValidator {

    /** The identity facts validation needs; {@code key}/{@code pds} null when the document lacks them. */
    public record Authority(PublicKey key, URI pds) {}

    private final ValidationConfig config;
    private final ChainState state;
    private final Clock clock;
    private final CarReader commitCars;
    private final CarReader syncCars;

    public FrameValidator(ValidationConfig config, ChainState state, Clock clock) {
        this.config = config;
        this.state = state;
        this.clock = clock;
        this.commitCars = new CarReader(new CarReader.Limits(config.maxCommitBlocksBytes(), 1_000_000, 10_000));
        this.syncCars = new CarReader(new CarReader.Limits(config.maxSyncBlocksBytes(), config.maxSyncBlocksBytes(), 16));
    }

    public ValidationConfig config() {
        return config;
    }

    /**
     * @param host the connection the frame came in on (host[:port]); null skips the
     *             host-authority check (offline verification of a recording)
     * @param authority the DID's current identity; may be null only for #identity
     * @param mst where inversion time is metered (the {@code mst} stage); may be null
     */
    public Checked check(SequencedMessage message, String host, Authority authority, MstTimer mst) {
        return switch (message) {
            case CommitMessage c -> commit(c, host, authority, mst);
            case SyncMessage s -> sync(s, host, authority);
            case IdentityMessage i -> Checked.pass(Checked.NONE);
            case AccountMessage a -> account(a, host, authority);
        };
    }

    /** Times the MST inversion separately from the rest of validation. */
    public interface MstTimer {
        long start();

        void stop(long token);
    }

    private Checked commit(CommitMessage m, String host, Authority who, MstTimer mst) {
        if (m.blocks().length > config.maxCommitBlocksBytes()) {
            return Checked.drop(DropReason.BLOCKS_TOO_BIG, m.blocks().length + " bytes");
        }
        if (m.ops().size() > config.maxOps()) {
            return Checked.drop(DropReason.TOO_MANY_OPS, m.ops().size() + " ops");
        }
        var gate = gate(m.repo(), host, who);
        if (gate != null) return gate;

        Car car;
        try {
            car = commitCars.read(m.blocks());
        } catch (ProtocolException e) {
            return Checked.drop(DropReason.BAD_CAR, e.getMessage());
        }
        var signed = signedCommit(car, m.commit(), m.repo(), m.rev(), who.key());
        if (signed instanceof Checked bad) return bad;
        Commit commit = (Commit) signed;

        RepoHead stored = state.repo(m.repo());
        var order = revOrder(m.rev(), stored);
        if (order != null) return order;

        // MST inversion: the ops, undone on the new tree, must give prevData
        // (a repo's first commit, since == null, has no previous tree: it inverts to the empty tree)
        Cid previousTree = m.prevData() != null ? m.prevData() : m.since() == null ? Mst.EMPTY_ROOT : null;
        List<String> emptied = null;
        if (previousTree == null) {
            if (!config.lenient()) return Checked.drop(DropReason.MISSING_PREV_DATA);
        } else {
            long t = mst == null ? 0 : mst.start();
            InversionResult inv;
            try {
                inv = MstInversion.verify(car.blocks(), commit.data(), m.ops(), previousTree);
            } finally {
                if (mst != null) mst.stop(t);
            }
            if (!inv.ok() && !config.lenient()) {
                return Checked.drop(DropReason.INVERSION_FAILED, inv.status().label() + ": " + inv.detail());
            }
            emptied = inv.ok() ? inv.emptiedCollections() : null;
        }

        // chain continuity: a break is passed on, counted and recorded, not dropped
        String gap = null;
        if (stored != null) {
            if (!Objects.equals(m.since(), stored.rev())) {
                gap = "since " + m.since() + " != stored rev " + stored.rev();
            } else if (m.prevData() != null && !m.prevData().equals(stored.data())) {
                gap = "prevData " + m.prevData() + " != stored data " + stored.data();
            }
        }
        var next = new Checked.Update.Advance(m.repo(), host, new RepoHead(m.rev(), m.commit(), commit.data()), gap != null);
        return (gap == null ? Checked.pass(next) : new Checked(new Verdict.Discontinuity(gap), next))
                .withEmptiedCollections(emptied);
    }

    private Checked sync(SyncMessage m, String host, Authority who) {
        if (m.blocks().length > config.maxSyncBlocksBytes()) {
            return Checked.drop(DropReason.BLOCKS_TOO_BIG, m.blocks().length + " bytes");
        }
        var gate = gate(m.did(), host, who);
        if (gate != null) return gate;
        Car car;
        try {
            car = syncCars.read(m.blocks());
        } catch (ProtocolException e) {
            return Checked.drop(DropReason.BAD_CAR, e.getMessage());
        }
        if (car.roots().isEmpty()) return Checked.drop(DropReason.CAR_ROOT_MISMATCH, "no roots");
        Cid root = car.roots().getFirst();
        var signed = signedCommit(car, root, m.did(), m.rev(), who.key());
        if (signed instanceof Checked bad) return bad;
        Commit commit = (Commit) signed;
        // no chain checks: a #sync re-anchors the chain. An older rev is stale; the same rev
        // restates the current state (PDSes send that, e.g. on reactivation) and passes.
        RepoHead stored = state.repo(m.did());
        boolean restates = stored != null && m.rev().equals(stored.rev());
        var order = revOrder(m.rev(), restates ? null : stored);
        if (order != null) return order;
        return Checked.pass(new Checked.Update.Advance(m.did(), host, new RepoHead(m.rev(), root, commit.data()), false));
    }

    private Checked account(AccountMessage m, String host, Authority who) {
        if (who == null || who.pds() == null) {
            return Checked.drop(DropReason.IDENTITY_INCOMPLETE, "no PDS endpoint");
        }
        if (host != null && !HostAuthority.matches(who.pds(), host)) {
            return Checked.drop(DropReason.WRONG_HOST, host + " is not " + who.pds());
        }
        var update = new Checked.Update.UpstreamStatus(m.did(), host, m.active(), m.status());
        // an account this relay throttles stays inactive to consumers whatever its host says: the
        // relay announced that itself; the host's status is kept for when the account is re-activated
        var account = state.account(m.did(), host);
        if (account.throttled()) {
            return Checked.withheld(DropReason.ACCOUNT_THROTTLED, "upstream active=" + m.active(), update);
        }
        return Checked.pass(update);
    }

    /** Identity complete, right host, account active: the checks that need no parsing. */
    private Checked gate(String did, String host, Authority who) {
        if (who == null || who.key() == null || who.pds() == null) {
            return Checked.drop(DropReason.IDENTITY_INCOMPLETE,
                    who == null ? "no identity" : who.key() == null ? "no #atproto key" : "no PDS endpoint");
        }
        if (host != null && !HostAuthority.matches(who.pds(), host)) {
            return Checked.drop(DropReason.WRONG_HOST, host + " is not " + who.pds());
        }
        var account = state.account(did, host);
        if (!account.active()) {
            var reason = account.throttled() ? DropReason.ACCOUNT_THROTTLED : DropReason.ACCOUNT_INACTIVE;
            return Checked.drop(reason, String.valueOf(account.status()));
        }
        return null;
    }

    /** The commit block: root, presence, shape, did, version, rev, signature. A {@link Commit} or a drop. */
    private Object signedCommit(Car car, Cid commitCid, String did, String rev, PublicKey key) {
        if (car.roots().isEmpty() || !car.roots().getFirst().equals(commitCid)) {
            return Checked.drop(DropReason.CAR_ROOT_MISMATCH, "roots " + car.roots() + " != " + commitCid);
        }
        byte[] block = car.block(commitCid);
        if (block == null) return Checked.drop(DropReason.COMMIT_BLOCK_MISSING, commitCid.toString());
        Commit commit;
        try {
            commit = Commit.decode(block);
        } catch (ProtocolException e) {
            return Checked.drop(DropReason.BAD_COMMIT, e.getMessage());
        }
        if (!did.equals(commit.did())) {
            return Checked.drop(DropReason.REPO_MISMATCH, "commit did " + commit.did());
        }
        if (commit.version() != 3) {
            return Checked.drop(DropReason.BAD_VERSION, "version " + commit.version());
        }
        if (!rev.equals(commit.rev()) || !Tid.isValid(rev)) {
            return Checked.drop(DropReason.REV_MISMATCH, "message rev " + rev + ", commit rev " + commit.rev());
        }
        // the signed bytes cut from the block (canonical, as decode checked), not encoded again
        if (!config.signatures().verify(key, Commit.unsignedBytesOf(block), commit.sig())) {
            return Checked.drop(DropReason.BAD_SIGNATURE, "against " + key.curve());
        }
        return commit;
    }

    /** rev must be newer than the stored one and not beyond the clock-drift allowance. */
    private Checked revOrder(String rev, RepoHead stored) {
        Tid tid = Tid.parse(rev);
        if (stored != null && Tid.isValid(stored.rev()) && tid.compareTo(Tid.parse(stored.rev())) <= 0) {
            return Checked.drop(DropReason.STALE_REV, rev + " <= stored " + stored.rev());
        }
        long limitMicros = (clock.millis() + config.futureRevAllowance().toMillis()) * 1000;
        if (tid.micros() > limitMicros) {
            return Checked.drop(DropReason.FUTURE_REV, rev + " is beyond now + " + config.futureRevAllowance());
        }
        return null;
    }
}
