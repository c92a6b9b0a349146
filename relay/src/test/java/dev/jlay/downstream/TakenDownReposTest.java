package dev.jlay.downstream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.jlay.eventlog.EventKind;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

class TakenDownReposTest {

    @Test
    void hidesOnlyRepoContentOfTakenDownDids() {
        var set = new TakenDownRepos(10);
        assertThat(set.hides(EventKind.COMMIT, "did:plc:a")).isFalse();
        assertThat(set.add("did:plc:a")).isTrue();
        assertThat(set.add("did:plc:a")).isFalse();
        assertThat(set.hides(EventKind.COMMIT, "did:plc:a")).isTrue();
        assertThat(set.hides(EventKind.SYNC, "did:plc:a")).isTrue();
        // identity and status still flow for inactive accounts (account spec)
        assertThat(set.hides(EventKind.IDENTITY, "did:plc:a")).isFalse();
        assertThat(set.hides(EventKind.ACCOUNT, "did:plc:a")).isFalse();
        assertThat(set.hides(EventKind.COMMIT, "did:plc:b")).isFalse();
        assertThat(set.hides(EventKind.COMMIT, null)).isFalse();
        assertThat(set.remove("did:plc:a")).isTrue();
        assertThat(set.remove("did:plc:a")).isFalse();
        assertThat(set.hides(EventKind.COMMIT, "did:plc:a")).isFalse();
        assertThat(set.entries()).isZero();
        assertThat(set.bytes()).isZero();
    }

    @Test
    void isBoundedAndExportsItsFill() {
        var set = new TakenDownRepos(3);
        set.add("did:plc:a");
        set.add("did:plc:b");
        set.add("did:plc:c");
        assertThat(set.entries()).isEqualTo(3);
        assertThat(set.capacity()).isEqualTo(3);
        assertThat(set.bytes()).isGreaterThan(3 * "did:plc:a".length());
        assertThatThrownBy(() -> set.add("did:plc:d")).isInstanceOf(TakenDownRepos.FullException.class)
                .hasMessageContaining("downstream.takedown-capacity");
        assertThat(set.contains("did:plc:d")).isFalse();
        assertThat(set.add("did:plc:a")).isFalse(); // already there: not refused
        set.remove("did:plc:b");
        assertThat(set.add("did:plc:d")).isTrue();
    }

    @Test
    void loadsEveryPageOfTheSource() {
        var all = new TreeSet<String>();
        for (int i = 0; i < 2500; i++) {
            all.add("did:plc:" + String.format("%06d", i));
        }
        var asked = new ArrayList<String>();
        var set = TakenDownRepos.load(5000, (after, limit) -> {
            asked.add(after);
            var tail = after == null ? all : all.tailSet(after, false);
            return tail.stream().limit(limit).toList();
        });
        assertThat(set.entries()).isEqualTo(2500);
        assertThat(all).allMatch(set::contains);
        assertThat(asked).hasSize(3).first().isNull();
        assertThatThrownBy(() -> TakenDownRepos.load(100, (after, limit) ->
                after == null ? List.copyOf(all).subList(0, 1000) : List.of()))
                .isInstanceOf(TakenDownRepos.FullException.class);
    }
}
