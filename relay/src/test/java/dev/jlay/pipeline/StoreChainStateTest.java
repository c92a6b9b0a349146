package dev.jlay.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jlay.atproto.cid.Cid;
import dev.jlay.store.InMemoryStorage;
import dev.jlay.store.LocalStatus;
import dev.jlay.store.UpstreamStatus;
import dev.jlay.validate.RepoState;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The chain state on the store's in-memory stand-in (same contract as PostgreSQL). */
class StoreChainStateTest {

    private final InMemoryStorage storage = new InMemoryStorage();
    private final StoreChainState state = new StoreChainState(storage.repoState(), storage.accounts());
    private static final String DID = "did:plc:abcdefghijklmnopqrstuvwx";

    private static Cid cid(String s) {
        return Cid.ofDagCbor(dev.jlay.atproto.cbor.DagCbor.encode(Map.of("x", s)));
    }

    @Test
    void advancesRecordsDiscontinuitiesAndFollowsStatus() {
        assertThat(state.repo(DID)).isNull();
        assertThat(state.account(DID).active()).isTrue();
        var s1 = new RepoState("3kaaaaaaaaaa2", cid("c1"), cid("d1"));
        state.advance(DID, "pds.example.com", s1, false);
        assertThat(state.repo(DID)).isEqualTo(s1);
        assertThat(storage.accounts().get(DID).orElseThrow().host()).isEqualTo("pds.example.com");
        state.advance(DID, "pds.example.com", new RepoState("3kaaaaaaaaab2", cid("c2"), cid("d2")), true);
        assertThat(storage.accounts().get(DID).orElseThrow().discontinuities()).isEqualTo(1);

        state.upstreamStatus(DID, "pds.example.com", false, "deactivated");
        assertThat(state.account(DID).active()).isFalse();
        assertThat(storage.accounts().get(DID).orElseThrow().upstreamStatus()).isEqualTo(UpstreamStatus.DEACTIVATED);
        state.upstreamStatus(DID, "pds.example.com", true, null);
        assertThat(state.account(DID).active()).isTrue();

        storage.accounts().setLocalStatus(DID, LocalStatus.TAKENDOWN);
        assertThat(state.account(DID).active()).isFalse();
        assertThat(state.account(DID).status()).isEqualTo("takendown");

        state.advance(DID, "new-pds.example.com", new RepoState("3kaaaaaaaaac2", cid("c3"), cid("d3")), false);
        assertThat(storage.accounts().get(DID).orElseThrow().host()).isEqualTo("new-pds.example.com");
    }

    @Test
    void unknownInactiveStatusesAreKeptByTheirActiveFlag() {
        assertThat(StoreChainState.upstream(true, "throttled")).isEqualTo(UpstreamStatus.ACTIVE);
        assertThat(StoreChainState.upstream(false, "takendown")).isEqualTo(UpstreamStatus.TAKENDOWN);
        assertThat(StoreChainState.upstream(false, "something-new")).isEqualTo(UpstreamStatus.DEACTIVATED);
        assertThat(StoreChainState.upstream(false, null)).isEqualTo(UpstreamStatus.DEACTIVATED);
    }

    @Test
    void theFirstLookFromAHostAdmitsTheAccountUnderTheHostLimit() {
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
}
