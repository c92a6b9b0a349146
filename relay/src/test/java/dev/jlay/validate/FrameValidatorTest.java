package dev.jlay.validate;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jlay.atproto.cid.Cid;
import dev.jlay.atproto.crypto.Curve;
import dev.jlay.atproto.crypto.Keypair;
import dev.jlay.atproto.repo.CommitResult;
import dev.jlay.atproto.repo.RepoWriter;
import dev.jlay.atproto.repo.Write;
import dev.jlay.atproto.stream.AccountMessage;
import dev.jlay.atproto.stream.CommitMessage;
import dev.jlay.atproto.stream.RepoOp;
import dev.jlay.atproto.stream.SequencedMessage;
import dev.jlay.atproto.stream.SyncMessage;
import dev.jlay.atproto.syntax.TidClock;
import java.net.URI;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** Each sync v1.1 rule on real signed commits from a {@link RepoWriter}. */
class FrameValidatorTest {

    private static final String DID = "did:plc:abcdefghijklmnopqrstuvwx";
    private static final String HOST = "pds.example.com";
    private static final URI PDS = URI.create("https://pds.example.com");
    private static final Instant NOW = Instant.parse("2026-11-26T04:00:00Z");

    private final Keypair key = Keypair.generate(Curve.K256, new SecureRandom(new byte[] {1}));
    private final AtomicLong micros = new AtomicLong(NOW.toEpochMilli() * 1000 - 60_000_000L);
    private final RepoWriter repo = RepoWriter.create(DID, key, new TidClock(() -> micros.addAndGet(1000), 7));
    private final InMemoryChainState state = new InMemoryChainState(100);
    private final FrameValidator.Authority who = new FrameValidator.Authority(key.publicKey(), PDS);
    private int n;

    private FrameValidator validator(boolean lenient) {
        return new FrameValidator(ValidationConfig.strict().withLenient(lenient), state, Clock.fixed(NOW, ZoneOffset.UTC));
    }

    private CommitMessage msg(CommitResult r) {
        return r.toMessage(++n, NOW.toString());
    }

    private CommitMessage write() {
        return msg(repo.apply(List.of(Write.create("app.bsky.feed.post/" + key(), Map.of("text", "hi " + n)))));
    }

    private String key() {
        return "3k" + Long.toString(1_000_000_000L + n, 32);
    }

    private Verdict accept(FrameValidator v, SequencedMessage m) {
        var c = v.check(m, HOST, who, null);
        c.applyTo(state);
        return c.verdict();
    }

    private static DropReason reason(Verdict v) {
        assertThat(v).isInstanceOf(Verdict.Drop.class);
        return ((Verdict.Drop) v).reason();
    }

    private static CommitMessage with(CommitMessage c, String rev, String since, Cid prevData, List<RepoOp> ops, byte[] blocks, String repo, Cid commit) {
        return new CommitMessage(c.seq(), repo, commit, rev, since, blocks, ops, prevData, c.blobs(), c.time(), c.tooBig(), c.rebase());
    }

    @Test
    void aChainOfCommitsPassesAndAdvancesTheState() {
        var v = validator(false);
        assertThat(accept(v, msg(repo.genesis()))).isEqualTo(Verdict.PASS);
        for (int i = 0; i < 20; i++) {
            var m = write();
            assertThat(accept(v, m)).as("commit %d", i).isEqualTo(Verdict.PASS);
            assertThat(state.repo(DID).rev()).isEqualTo(m.rev());
            assertThat(state.repo(DID).commit()).isEqualTo(m.commit());
        }
    }

    @Test
    void aSkippedCommitIsADiscontinuityPassedAndRecorded() {
        var v = validator(false);
        accept(v, msg(repo.genesis()));
        accept(v, write());
        write(); // lost upstream
        var third = write();
        var verdict = accept(v, third);
        assertThat(verdict).isInstanceOf(Verdict.Discontinuity.class);
        assertThat(state.repo(DID).rev()).isEqualTo(third.rev());
        assertThat(state.discontinuities(DID)).isEqualTo(1);
        assertThat(accept(v, write())).isEqualTo(Verdict.PASS);
    }

    @Test
    void staleAndFutureRevsAreDropped() {
        var v = validator(false);
        accept(v, msg(repo.genesis()));
        var first = write();
        accept(v, first);
        assertThat(reason(accept(v, first))).isEqualTo(DropReason.STALE_REV);
        micros.set((NOW.toEpochMilli() + 6 * 60_000) * 1000); // 6 minutes ahead of the relay's clock
        assertThat(reason(accept(v, write()))).isEqualTo(DropReason.FUTURE_REV);
        assertThat(state.repo(DID).rev()).isEqualTo(first.rev());
    }

    @Test
    void signatureByAnotherKeyIsDropped() {
        var v = validator(false);
        var other = Keypair.generate(Curve.P256, new SecureRandom(new byte[] {2}));
        var c = v.check(msg(repo.genesis()), HOST, new FrameValidator.Authority(other.publicKey(), PDS), null);
        assertThat(reason(c.verdict())).isEqualTo(DropReason.BAD_SIGNATURE);
    }

    @Test
    void hostAuthorityAndAccountStatusGateEveryCommit() {
        var v = validator(false);
        var g = msg(repo.genesis());
        assertThat(reason(v.check(g, "evil.example.com", who, null).verdict())).isEqualTo(DropReason.WRONG_HOST);
        assertThat(reason(v.check(g, HOST, new FrameValidator.Authority(key.publicKey(), null), null).verdict()))
                .isEqualTo(DropReason.IDENTITY_INCOMPLETE);
        assertThat(v.check(g, null, who, null).verdict().passes()).as("offline: no host to check").isTrue();

        var deactivate = new AccountMessage(50, DID, NOW.toString(), false, "deactivated");
        assertThat(reason(v.check(deactivate, "evil.example.com", who, null).verdict())).isEqualTo(DropReason.WRONG_HOST);
        assertThat(accept(v, deactivate)).isEqualTo(Verdict.PASS);
        assertThat(state.account(DID).active()).isFalse();
        assertThat(reason(accept(v, g))).isEqualTo(DropReason.ACCOUNT_INACTIVE);
        assertThat(accept(v, new AccountMessage(51, DID, NOW.toString(), true, null))).isEqualTo(Verdict.PASS);
        assertThat(accept(v, g)).isEqualTo(Verdict.PASS);

        state.setAccount(DID, new AccountState(false, "takendown", true, null)); // a relay takedown
        assertThat(reason(accept(v, write()))).isEqualTo(DropReason.ACCOUNT_INACTIVE);
    }

    @Test
    void aThrottledAccountsHostAccountIsWithheldButItsStatusKept() {
        var v = validator(false);
        state.setAccount(DID, new AccountState(false, "throttled", true, null)); // the relay's account limit
        var says = new AccountMessage(60, DID, NOW.toString(), false, "deactivated");
        var checked = v.check(says, HOST, who, null);
        assertThat(reason(checked.verdict())).isEqualTo(DropReason.ACCOUNT_THROTTLED);
        checked.applyTo(state);
        assertThat(state.account(DID)).isEqualTo(new AccountState(false, "throttled", false, "deactivated"));
        assertThat(reason(accept(v, new AccountMessage(61, DID, NOW.toString(), true, null))))
                .isEqualTo(DropReason.ACCOUNT_THROTTLED);
        assertThat(state.account(DID).upstreamActive()).isTrue();
        // from the wrong host it is not the account's status at all: dropped, nothing kept
        var forged = v.check(new AccountMessage(62, DID, NOW.toString(), false, "deleted"), "evil.example.com", who, null);
        assertThat(reason(forged.verdict())).isEqualTo(DropReason.WRONG_HOST);
        forged.applyTo(state);
        assertThat(state.account(DID).upstreamActive()).isTrue();
        // once let through, the host's #account passes again
        state.setAccount(DID, AccountState.ACTIVE);
        assertThat(accept(v, new AccountMessage(63, DID, NOW.toString(), true, null))).isEqualTo(Verdict.PASS);
    }

    @Test
    void missingPrevDataIsDroppedStrictAndPassedLenient() {
        var strict = validator(false);
        accept(strict, msg(repo.genesis()));
        var m = write();
        var legacy = with(m, m.rev(), m.since(), null, m.ops(), m.blocks(), m.repo(), m.commit());
        assertThat(reason(strict.check(legacy, HOST, who, null).verdict())).isEqualTo(DropReason.MISSING_PREV_DATA);
        assertThat(validator(true).check(legacy, HOST, who, null).verdict()).isEqualTo(Verdict.PASS);
    }

    @Test
    void brokenInversionIsDroppedStrictAndPassedLenient() {
        var strict = validator(false);
        accept(strict, msg(repo.genesis()));
        accept(strict, write());
        var m = write();
        var noOps = with(m, m.rev(), m.since(), m.prevData(), List.of(), m.blocks(), m.repo(), m.commit());
        var d = (Verdict.Drop) strict.check(noOps, HOST, who, null).verdict();
        assertThat(d.reason()).isEqualTo(DropReason.INVERSION_FAILED);
        assertThat(d.detail()).startsWith("root_mismatch");
        assertThat(validator(true).check(noOps, HOST, who, null).verdict().passes()).isTrue();
    }

    @Test
    void shapeChecks() {
        var v = validator(false);
        var g = msg(repo.genesis());
        var ops = new ArrayList<RepoOp>(Collections.nCopies(201, new RepoOp(RepoOp.Action.DELETE, "app.bsky.feed.post/x", null, g.commit())));
        assertThat(reason(v.check(with(g, g.rev(), g.since(), g.prevData(), ops, g.blocks(), g.repo(), g.commit()), HOST, who, null).verdict()))
                .isEqualTo(DropReason.TOO_MANY_OPS);
        assertThat(reason(v.check(with(g, g.rev(), g.since(), g.prevData(), g.ops(), new byte[2_000_001], g.repo(), g.commit()), HOST, who, null).verdict()))
                .isEqualTo(DropReason.BLOCKS_TOO_BIG);
        assertThat(reason(v.check(with(g, g.rev(), g.since(), g.prevData(), g.ops(), new byte[] {1, 2, 3}, g.repo(), g.commit()), HOST, who, null).verdict()))
                .isEqualTo(DropReason.BAD_CAR);
        var otherCid = Cid.ofDagCbor(new byte[] {(byte) 0xa0});
        assertThat(reason(v.check(with(g, g.rev(), g.since(), g.prevData(), g.ops(), g.blocks(), g.repo(), otherCid), HOST, who, null).verdict()))
                .isEqualTo(DropReason.CAR_ROOT_MISMATCH);
        assertThat(reason(v.check(with(g, "2222222222222", g.since(), g.prevData(), g.ops(), g.blocks(), g.repo(), g.commit()), HOST, who, null).verdict()))
                .isEqualTo(DropReason.REV_MISMATCH);
        assertThat(reason(v.check(with(g, g.rev(), g.since(), g.prevData(), g.ops(), g.blocks(), "did:plc:someoneelse2345678901234", g.commit()), HOST, who, null).verdict()))
                .isEqualTo(DropReason.REPO_MISMATCH);
    }

    @Test
    void syncReplacesTheStateWithoutChainChecks() {
        var v = validator(false);
        accept(v, msg(repo.genesis()));
        var first = write();
        accept(v, first);
        write();
        write(); // two commits never seen
        SyncMessage sync = repo.syncMessage(99, NOW.toString());
        assertThat(accept(v, sync)).isEqualTo(Verdict.PASS);
        assertThat(state.repo(DID).rev()).isEqualTo(sync.rev());
        assertThat(accept(v, sync)).as("the same rev restates the state").isEqualTo(Verdict.PASS);
        assertThat(accept(v, write())).as("the chain continues from the sync").isEqualTo(Verdict.PASS);
        assertThat(reason(accept(v, sync))).isEqualTo(DropReason.STALE_REV);
        var big = new SyncMessage(100, DID, new byte[10_001], sync.rev(), NOW.toString());
        assertThat(reason(accept(v, big))).isEqualTo(DropReason.BLOCKS_TOO_BIG);
    }
}
