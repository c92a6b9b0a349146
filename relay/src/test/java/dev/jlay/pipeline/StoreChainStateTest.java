package dev.jlay.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jlay.atproto.stream.CommitMessage;
import dev.jlay.atproto.stream.FirehoseCodec;
import dev.jlay.store.Account;
import dev.jlay.store.HostLimits;
import dev.jlay.store.InMemoryStorage;
import dev.jlay.store.LocalStatus;
import dev.jlay.testing.SharedFixtures;
import dev.jlay.validate.RepoHead;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A commit's repo state reaches the store only once the commit is durable: the database must
 * never be ahead of the event log, or a crash turns the lost frame, re-read, into a "stale" drop.
 */
class StoreChainStateTest {

    private static List<CommitMessage> commitsOfOneRepo() throws Exception {
        var frames = FrameFile.read(SharedFixtures.corpusDir().resolve("pds0.frames"));
        var commits = frames.stream().map(FirehoseCodec::decode).filter(CommitMessage.class::isInstance)
                .map(CommitMessage.class::cast).toList();
        String did = commits.getFirst().repo();
        return commits.stream().filter(c -> c.repo().equals(did)).limit(3).toList();
    }

    private static RepoHead state(CommitMessage c) {
        return new RepoHead(c.rev(), c.commit(), c.prevData() == null ? c.commit() : c.prevData());
    }

    @Test
    void acceptedStateIsReadAtOnceButStoredOnlyWhenDurable() throws Exception {
        var commits = commitsOfOneRepo();
        assertThat(commits).hasSize(3);
        String did = commits.getFirst().repo();
        try (var storage = new InMemoryStorage()) {
            var chain = new StoreChainState(storage.repoState(), storage.accounts(), 10);
            var first = commits.get(0);
            var second = commits.get(1);
            chain.advance(did, "h", state(first), false);
            chain.advance(did, "h", state(second), false);
            // the worker's next frame sees the newest accepted state; the database has nothing yet
            assertThat(chain.repo(did).rev()).isEqualTo(second.rev());
            assertThat(storage.repoState().get(did)).isEmpty();
            assertThat(chain.entries()).isEqualTo(2);

            chain.durable(first);
            assertThat(storage.repoState().get(did)).get().extracting(s -> s.rev()).isEqualTo(first.rev());
            assertThat(chain.repo(did).rev()).isEqualTo(second.rev());
            chain.durable(second);
            assertThat(storage.repoState().get(did)).get().extracting(s -> s.rev()).isEqualTo(second.rev());
            assertThat(chain.entries()).isZero();
            assertThat(chain.repo(did).rev()).isEqualTo(second.rev());

            // a batch that failed to write: its state is forgotten, never stored
            var third = commits.get(2);
            chain.advance(did, "h", state(third), false);
            assertThat(chain.repo(did).rev()).isEqualTo(third.rev());
            chain.failed(third);
            assertThat(chain.entries()).isZero();
            assertThat(chain.repo(did).rev()).isEqualTo(second.rev());
            assertThat(storage.repoState().get(did)).get().extracting(s -> s.rev()).isEqualTo(second.rev());
        }
    }

    @Test
    void aStateThatNeverSettledIsDroppedWhenALaterOneDoes() throws Exception {
        var commits = commitsOfOneRepo();
        String did = commits.getFirst().repo();
        try (var storage = new InMemoryStorage()) {
            var chain = new StoreChainState(storage.repoState(), storage.accounts(), 10);
            chain.advance(did, "h", state(commits.get(0)), false); // e.g. cut off by shutdown: never settles
            chain.advance(did, "h", state(commits.get(1)), false);
            chain.durable(commits.get(1));
            assertThat(chain.entries()).isZero();
            assertThat(storage.repoState().get(did)).get().extracting(s -> s.rev()).isEqualTo(commits.get(1).rev());
        }
    }

    @Test
    void theFirstLookFromAHostAdmitsTheAccountUnderTheHostLimit() {
        var storage = new InMemoryStorage();
        var state = new StoreChainState(storage.repoState(), storage.accounts());
        storage.hosts().register("small.example.com", new dev.jlay.store.HostLimits(1, 0, 0, 0), false);
        var first = state.account("did:plc:first", "small.example.com");
        var second = state.account("did:plc:second", "small.example.com");
        assertThat(first.active()).isTrue();
        assertThat(second.active()).isFalse();
        assertThat(second.throttled()).isTrue();
        assertThat(second.status()).isEqualTo("throttled");
        // without a host (offline verification) nothing is created
        assertThat(state.account("did:plc:third", null).active()).isTrue();
        assertThat(storage.accounts().get("did:plc:third")).isEmpty();
    }

    @Test
    void anAccountThrottledOrLetThroughByTheLimitIsToldOnce() {
        try (var storage = new InMemoryStorage()) {
            storage.hosts().register("full.test", new HostLimits(1, 10, 100, 1000), false);
            storage.hosts().register("roomy.test", new HostLimits(10, 10, 100, 1000), false);
            var told = new ArrayList<Account>();
            var state = new StoreChainState(storage.repoState(), storage.accounts(), 0, told::add);

            assertThat(state.account("did:plc:first", "full.test").active()).isTrue();
            assertThat(told).isEmpty(); // admitted: nothing to say
            assertThat(state.account("did:plc:second", "full.test").throttled()).isTrue();
            // its next frames (a commit, its host's #account) find it throttled already: not told again
            state.account("did:plc:second", "full.test");
            state.upstreamStatus("did:plc:second", "full.test", true, null);
            assertThat(told).extracting(Account::did, a -> a.localStatus())
                    .containsExactly(org.assertj.core.groups.Tuple.tuple("did:plc:second", LocalStatus.THROTTLED));

            // it moves to a host with room: let through, and told so
            assertThat(state.account("did:plc:second", "roomy.test").active()).isTrue();
            assertThat(told).hasSize(2);
            assertThat(told.get(1).localStatus()).isEqualTo(LocalStatus.ACTIVE);
            assertThat(told.get(1).host()).isEqualTo("roomy.test");
            state.account("did:plc:second", "roomy.test");
            assertThat(told).hasSize(2);
        }
    }
}
