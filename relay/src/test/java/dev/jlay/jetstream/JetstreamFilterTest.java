package dev.jlay.jetstream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Jetstream v1's option rules: NSIDs and prefixes, caps after duplicates, DIDs, size limit. */
class JetstreamFilterTest {
    private static JetstreamEvent commit(String did, String collection, int size) {
        return new JetstreamEvent(did, collection, new byte[size]);
    }

    private static JetstreamEvent identity(String did) {
        return new JetstreamEvent(did, null, new byte[10]);
    }

    @Test
    void collectionsExactAndByPrefixIdentityPassesACollectionFilter() throws Exception {
        var f = JetstreamFilter.parse(List.of("app.bsky.feed.post", "app.bsky.graph.*"), List.of(), 0);
        assertThat(f.wants(commit("did:plc:a", "app.bsky.feed.post", 10))).isTrue();
        assertThat(f.wants(commit("did:plc:a", "app.bsky.graph.follow", 10))).isTrue();
        assertThat(f.wants(commit("did:plc:a", "app.bsky.feed.like", 10))).isFalse();
        assertThat(f.wants(commit("did:plc:a", "app.bsky.graphx.y", 10))).isFalse();
        assertThat(f.wants(identity("did:plc:a"))).isTrue();
        // "app.bsky.*" has too few segments for an NSID; Jetstream accepts it as a prefix
        assertThat(JetstreamFilter.parse(List.of("app.bsky.*"), null, 0)
                .wants(commit("did:plc:a", "app.bsky.feed.like", 1))).isTrue();
    }

    @Test
    void didsFilterEveryKind() throws Exception {
        var f = JetstreamFilter.parse(null, List.of("did:plc:a", "did:web:b.example"), 0);
        assertThat(f.wants(commit("did:plc:a", "x.y.z", 1))).isTrue();
        assertThat(f.wants(identity("did:web:b.example"))).isTrue();
        assertThat(f.wants(identity("did:plc:c"))).isFalse();
        assertThat(f.wants(commit("did:plc:c", "x.y.z", 1))).isFalse();
    }

    @Test
    void sizeLimitSkipsLargerEvents() throws Exception {
        var f = JetstreamFilter.parse(null, null, 100);
        assertThat(f.wants(commit("did:plc:a", "x.y.z", 100))).isTrue();
        assertThat(f.wants(commit("did:plc:a", "x.y.z", 101))).isFalse();
        assertThat(JetstreamFilter.maxMessageSize("-5")).isZero();
        assertThat(JetstreamFilter.maxMessageSize("abc")).isZero();
        assertThat(JetstreamFilter.maxMessageSize("99999999999")).isZero();
        assertThat(JetstreamFilter.maxMessageSize("2048")).isEqualTo(2048);
    }

    @Test
    void capsCountDistinctEntries() throws Exception {
        var hundred = new ArrayList<String>();
        for (int i = 0; i < 100; i++) {
            hundred.add("com.example.c" + i);
        }
        var withDuplicates = new ArrayList<>(hundred);
        withDuplicates.addAll(hundred);
        assertThat(JetstreamFilter.parse(withDuplicates, null, 0).collections()).hasSize(100);
        var tooMany = new ArrayList<>(hundred);
        tooMany.add("com.example.more.*");
        assertThatThrownBy(() -> JetstreamFilter.parse(tooMany, null, 0))
                .isInstanceOf(JetstreamFilter.InvalidOptionsException.class)
                .hasMessageContaining("too many wanted collections");

        var dids = new ArrayList<String>();
        for (int i = 0; i < 10_000; i++) {
            dids.add("did:plc:d" + i);
        }
        assertThat(JetstreamFilter.parse(null, dids, 0).dids()).hasSize(10_000);
        dids.add("did:plc:one-more");
        assertThatThrownBy(() -> JetstreamFilter.parse(null, dids, 0)).hasMessageContaining("too many wanted DIDs");
    }

    @Test
    void badEntriesAreRefusedWithTheReason() {
        assertThatThrownBy(() -> JetstreamFilter.parse(List.of("app.bsky.fo*"), null, 0))
                .hasMessageContaining("invalid collection: app.bsky.fo*");
        assertThatThrownBy(() -> JetstreamFilter.parse(null, List.of("plc:abc"), 0))
                .hasMessageContaining("invalid DID: plc:abc");
    }
}
