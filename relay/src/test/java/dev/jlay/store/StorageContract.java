package dev.jlay.store;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HashMap;
import java.util.Random;

import static dev.jlay.store.TestCids.cid;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * What every {@link Storage} must do. Runs against PostgreSQL
 * ({@link PostgresStorageContractTest}) and the in-memory stand-in
 * ({@link InMemoryStorageContractTest}), so the stand-in cannot drift.
 */
abstract class StorageContract {
    static final HostLimits LIMITS = new HostLimits(100, 50, 2_000, 20_000);

    protected Storage storage;

    /** A new, empty storage. */
    protected abstract Storage newStorage();

    @BeforeEach
    void open() {
        storage = newStorage();
    }

    @AfterEach
    void closeStorage() {
        storage.close();
    }

    // ---- repo state

    @Test
    void repoStateIsEmptyForUnknownDid() {
        assertThat(storage.repoState().get("did:plc:nobody")).isEmpty();
    }

    @Test
    void repoStateLastPutWins() {
        var repos = storage.repoState();
        repos.put(new RepoState("did:plc:a", "3k1", cid("bafyc1"), cid("bafyd1")));
        repos.put(new RepoState("did:plc:a", "3k2", cid("bafyc2"), cid("bafyd2")));
        repos.put(new RepoState("did:plc:b", "3k9", cid("bafyc9"), cid("bafyd9")));
        assertThat(repos.get("did:plc:a")).contains(new RepoState("did:plc:a", "3k2", cid("bafyc2"), cid("bafyd2")));
        storage.flush();
        assertThat(repos.get("did:plc:a")).contains(new RepoState("did:plc:a", "3k2", cid("bafyc2"), cid("bafyd2")));
        assertThat(repos.get("did:plc:b")).contains(new RepoState("did:plc:b", "3k9", cid("bafyc9"), cid("bafyd9")));
    }

    @Test
    void repoStateRandomWritesKeepTheLastPerDid() {
        var random = new Random(42);
        var expected = new HashMap<String, RepoState>();
        for (int i = 0; i < 3_000; i++) {
            var did = "did:plc:r" + random.nextInt(200);
            var s = new RepoState(did, "rev" + i, cid("c" + random.nextInt()), cid("d" + random.nextInt()));
            storage.repoState().put(s);
            expected.put(did, s);
            if (i % 700 == 0) {
                storage.flush();
            }
        }
        storage.flush();
        expected.forEach((did, s) -> assertThat(storage.repoState().get(did)).contains(s));
    }

    // ---- accounts

    @Test
    void ensureCreatesAnActiveAccountOnce() {
        var a = storage.accounts().ensure("did:plc:alice", "pds.example.com");
        assertThat(a.host()).isEqualTo("pds.example.com");
        assertThat(a.localStatus()).isEqualTo(LocalStatus.ACTIVE);
        assertThat(a.upstreamStatus()).isEqualTo(UpstreamStatus.ACTIVE);
        assertThat(a.active()).isTrue();
        assertThat(a.discontinuities()).isZero();
        var again = storage.accounts().ensure("did:plc:alice", "other.example.com");
        assertThat(again.host()).as("ensure does not move an account").isEqualTo("pds.example.com");
        storage.flush();
        assertThat(storage.accounts().get("did:plc:alice")).get()
                .extracting(Account::host).isEqualTo("pds.example.com");
    }

    @Test
    void accountChangesAccumulate() {
        var accounts = storage.accounts();
        accounts.ensure("did:plc:bob", "one.example.com");
        accounts.setHost("did:plc:bob", "two.example.com");
        accounts.setUpstreamStatus("did:plc:bob", UpstreamStatus.DEACTIVATED);
        accounts.recordDiscontinuity("did:plc:bob");
        accounts.recordDiscontinuity("did:plc:bob");
        storage.flush();
        var bob = accounts.get("did:plc:bob").orElseThrow();
        assertThat(bob.host()).isEqualTo("two.example.com");
        assertThat(bob.upstreamStatus()).isEqualTo(UpstreamStatus.DEACTIVATED);
        assertThat(bob.discontinuities()).isEqualTo(2);
        assertThat(bob.active()).isFalse();
        assertThat(bob.effectiveStatus()).isEqualTo("deactivated");
    }

    @Test
    void localStatusOverridesAndSurvivesPipelineChanges() {
        var accounts = storage.accounts();
        accounts.ensure("did:plc:carol", "pds.example.com");
        accounts.setLocalStatus("did:plc:carol", LocalStatus.TAKENDOWN);
        accounts.setUpstreamStatus("did:plc:carol", UpstreamStatus.DEACTIVATED);
        storage.flush();
        var carol = accounts.get("did:plc:carol").orElseThrow();
        assertThat(carol.localStatus()).isEqualTo(LocalStatus.TAKENDOWN);
        assertThat(carol.upstreamStatus()).isEqualTo(UpstreamStatus.DEACTIVATED);
        assertThat(carol.effectiveStatus()).isEqualTo("takendown");
        accounts.setLocalStatus("did:plc:carol", LocalStatus.ACTIVE);
        storage.flush();
        assertThat(accounts.get("did:plc:carol").orElseThrow().effectiveStatus()).isEqualTo("deactivated");
    }

    @Test
    void takedownOfAnUnknownDidCreatesIt() {
        var a = storage.accounts().setLocalStatus("did:plc:unseen", LocalStatus.TAKENDOWN);
        assertThat(a.host()).isNull();
        assertThat(storage.accounts().get("did:plc:unseen")).get()
                .extracting(Account::localStatus).isEqualTo(LocalStatus.TAKENDOWN);
        // The pipeline seeing it later keeps the takedown.
        var seen = storage.accounts().setHost("did:plc:unseen", "pds.example.com");
        assertThat(seen.localStatus()).isEqualTo(LocalStatus.TAKENDOWN);
        storage.flush();
        assertThat(storage.accounts().get("did:plc:unseen").orElseThrow().localStatus())
                .isEqualTo(LocalStatus.TAKENDOWN);
    }

    @Test
    void accountsListInDidOrderWithPaging() {
        for (int i = 9; i >= 0; i--) {
            storage.accounts().ensure("did:plc:list" + i, "pds.example.com");
        }
        storage.accounts().setLocalStatus("did:plc:list3", LocalStatus.TAKENDOWN);
        storage.accounts().setLocalStatus("did:plc:list7", LocalStatus.TAKENDOWN);
        storage.flush();
        var first = storage.accounts().list(null, 4);
        assertThat(first).extracting(Account::did)
                .containsExactly("did:plc:list0", "did:plc:list1", "did:plc:list2", "did:plc:list3");
        var next = storage.accounts().list(first.getLast().did(), 100);
        assertThat(next).extracting(Account::did).hasSize(6).startsWith("did:plc:list4");
        assertThat(storage.accounts().listByLocalStatus(LocalStatus.TAKENDOWN, null, 10))
                .extracting(Account::did).containsExactly("did:plc:list3", "did:plc:list7");
        assertThat(storage.accounts().listByLocalStatus(LocalStatus.TAKENDOWN, "did:plc:list3", 10))
                .extracting(Account::did).containsExactly("did:plc:list7");
    }

    // ---- hosts

    @Test
    void registerIsIdempotent() {
        var h = storage.hosts().register("pds.example.com", LIMITS, false);
        assertThat(h.id()).isPositive();
        assertThat(h.status()).isEqualTo(HostStatus.ACTIVE);
        assertThat(h.lastSeq()).isZero();
        assertThat(h.limits()).isEqualTo(LIMITS);
        assertThat(h.trusted()).isFalse();
        var again = storage.hosts().register("pds.example.com", new HostLimits(1, 1, 1, 1), true);
        assertThat(again.id()).isEqualTo(h.id());
        assertThat(again.limits()).isEqualTo(LIMITS);
        assertThat(storage.hosts().get("missing.example.com")).isEmpty();
    }

    @Test
    void hostSettingsChange() {
        storage.hosts().register("pds.example.com", LIMITS, false);
        storage.hosts().setStatus("pds.example.com", HostStatus.BANNED);
        var limits = new HostLimits(5, 6, 7, 8);
        storage.hosts().setLimits("pds.example.com", limits);
        storage.hosts().setTrusted("pds.example.com", true);
        var h = storage.hosts().get("pds.example.com").orElseThrow();
        assertThat(h.status()).isEqualTo(HostStatus.BANNED);
        assertThat(h.limits()).isEqualTo(limits);
        assertThat(h.trusted()).isTrue();
        assertThatThrownBy(() -> storage.hosts().setStatus("nope.example.com", HostStatus.IDLE))
                .isInstanceOf(StoreException.class);
    }

    @Test
    void cursorIsVisibleAtOnceAndAfterFlush() {
        storage.hosts().register("pds.example.com", LIMITS, false);
        storage.hosts().updateCursor("pds.example.com", 41);
        storage.hosts().updateCursor("pds.example.com", 42);
        assertThat(storage.hosts().get("pds.example.com").orElseThrow().lastSeq()).isEqualTo(42);
        assertThat(storage.hosts().cursor("pds.example.com")).isEqualTo(42);
        assertThat(storage.hosts().cursor("unknown.example.com")).isZero();
        storage.flush();
        assertThat(storage.hosts().get("pds.example.com").orElseThrow().lastSeq()).isEqualTo(42);
        assertThat(storage.hosts().list(0, 10)).singleElement().extracting(Host::lastSeq).isEqualTo(42L);
    }

    @Test
    void hostsListByIdAndCount() {
        for (int i = 0; i < 5; i++) {
            storage.hosts().register("h" + i + ".example.com", LIMITS, false);
        }
        storage.hosts().setStatus("h1.example.com", HostStatus.OFFLINE);
        storage.hosts().setStatus("h2.example.com", HostStatus.OFFLINE);
        storage.hosts().setStatus("h3.example.com", HostStatus.THROTTLED);
        var page = storage.hosts().list(0, 2);
        assertThat(page).extracting(Host::hostname).containsExactly("h0.example.com", "h1.example.com");
        assertThat(storage.hosts().list(page.getLast().id(), 10)).extracting(Host::hostname)
                .containsExactly("h2.example.com", "h3.example.com", "h4.example.com");
        var counts = storage.hosts().countByStatus();
        assertThat(counts).containsEntry(HostStatus.ACTIVE, 2L).containsEntry(HostStatus.OFFLINE, 2L)
                .containsEntry(HostStatus.THROTTLED, 1L).containsEntry(HostStatus.BANNED, 0L);
        var hourAgo = Instant.now().minus(1, ChronoUnit.HOURS);
        assertThat(storage.hosts().countRegisteredSince(hourAgo)).isEqualTo(5);
        assertThat(storage.hosts().countRegisteredSince(Instant.now().plus(1, ChronoUnit.HOURS))).isZero();
    }

    @Test
    void hostAccountCountFollowsAccounts() {
        storage.accounts().ensure("did:plc:early", "a.example.com");
        storage.flush();
        storage.hosts().register("a.example.com", LIMITS, false);
        storage.hosts().register("b.example.com", LIMITS, false);
        storage.accounts().ensure("did:plc:x", "a.example.com");
        storage.accounts().ensure("did:plc:y", "a.example.com");
        storage.accounts().ensure("did:plc:z", "b.example.com");
        storage.flush();
        assertThat(storage.hosts().get("a.example.com").orElseThrow().accountCount()).isEqualTo(3);
        storage.accounts().setHost("did:plc:y", "b.example.com");
        storage.flush();
        assertThat(storage.hosts().get("a.example.com").orElseThrow().accountCount()).isEqualTo(2);
        assertThat(storage.hosts().get("b.example.com").orElseThrow().accountCount()).isEqualTo(2);
    }

    @Test
    void accountsBeyondTheHostLimitAreThrottledUntilItIsRaised() {
        storage.hosts().register("small.example.com", new HostLimits(2, 0, 0, 0), false);
        var dids = java.util.List.of("did:plc:a1", "did:plc:a2", "did:plc:a3", "did:plc:a4");
        for (var did : dids) {
            storage.accounts().ensure(did, "small.example.com");
        }
        assertThat(dids.stream().map(d -> storage.accounts().get(d).orElseThrow().localStatus()))
                .containsExactly(LocalStatus.ACTIVE, LocalStatus.ACTIVE, LocalStatus.THROTTLED, LocalStatus.THROTTLED);
        // ensure of a known account changes nothing
        assertThat(storage.accounts().ensure("did:plc:a3", "small.example.com").localStatus())
                .isEqualTo(LocalStatus.THROTTLED);
        assertThat(storage.accounts().reactivateThrottled("small.example.com")).isEmpty();

        storage.hosts().setLimits("small.example.com", new HostLimits(3, 0, 0, 0));
        assertThat(storage.accounts().reactivateThrottled("small.example.com"))
                .extracting(Account::did).containsExactly("did:plc:a3");
        storage.hosts().setLimits("small.example.com", new HostLimits(10, 0, 0, 0));
        var back = storage.accounts().reactivateThrottled("small.example.com");
        assertThat(back).extracting(Account::did).containsExactly("did:plc:a4");
        assertThat(back.getFirst().localStatus()).isEqualTo(LocalStatus.ACTIVE);
        storage.flush();
        assertThat(storage.accounts().get("did:plc:a4").orElseThrow().active()).isTrue();
        assertThat(storage.accounts().listByLocalStatus(LocalStatus.THROTTLED, null, 10)).isEmpty();
    }

    @Test
    void aFullHostThrottlesNewAccountsButATrustedOneHasNoLimit() {
        storage.hosts().register("full.example.com", new HostLimits(1, 0, 0, 0), false);
        storage.hosts().register("roomy.example.com", new HostLimits(1, 0, 0, 0), false);
        storage.accounts().ensure("did:plc:f1", "full.example.com");
        storage.accounts().ensure("did:plc:f2", "full.example.com");
        assertThat(storage.accounts().get("did:plc:f2").orElseThrow().localStatus()).isEqualTo(LocalStatus.THROTTLED);
        // a takedown of the admitted account still counts against the limit
        storage.accounts().setLocalStatus("did:plc:f1", LocalStatus.TAKENDOWN);
        assertThat(storage.accounts().ensure("did:plc:f3", "full.example.com").localStatus())
                .isEqualTo(LocalStatus.THROTTLED);

        // a throttled account that moves to a host with room is active there; the full host keeps its count
        assertThat(storage.accounts().setHost("did:plc:f2", "roomy.example.com").localStatus())
                .isEqualTo(LocalStatus.ACTIVE);
        assertThat(storage.accounts().setHost("did:plc:f3", "roomy.example.com").localStatus())
                .isEqualTo(LocalStatus.THROTTLED);
        storage.flush();
        assertThat(storage.accounts().get("did:plc:f2").orElseThrow().localStatus()).isEqualTo(LocalStatus.ACTIVE);
        assertThat(storage.accounts().get("did:plc:f3").orElseThrow().localStatus())
                .isEqualTo(LocalStatus.THROTTLED);

        storage.hosts().setTrusted("full.example.com", true);
        for (int i = 0; i < 5; i++) {
            assertThat(storage.accounts().ensure("did:plc:t" + i, "full.example.com").localStatus())
                    .isEqualTo(LocalStatus.ACTIVE);
        }
        // an account of a host the relay does not know is not limited
        assertThat(storage.accounts().ensure("did:plc:u1", "unknown.example.com").localStatus())
                .isEqualTo(LocalStatus.ACTIVE);
    }

    // ---- bans, relay state, audit

    @Test
    void domainBansMatchSuffixesOnLabelBoundaries() {
        var bans = storage.bans();
        assertThat(bans.add(".Bad.Example.")).isTrue();
        assertThat(bans.add("bad.example")).isFalse();
        bans.add("evil.test");
        assertThat(bans.list()).containsExactly("bad.example", "evil.test");
        assertThat(bans.isBanned("bad.example")).isTrue();
        assertThat(bans.isBanned("pds.BAD.example")).isTrue();
        assertThat(bans.isBanned("a.b.bad.example")).isTrue();
        assertThat(bans.isBanned("notbad.example")).isFalse();
        assertThat(bans.isBanned("example")).isFalse();
        assertThat(bans.remove("bad.example")).isTrue();
        assertThat(bans.remove("bad.example")).isFalse();
        assertThat(bans.isBanned("pds.bad.example")).isFalse();
        assertThat(bans.isBanned("x.evil.test")).isTrue();
    }

    @Test
    void relayStateOverwrites() {
        assertThat(storage.relayState().get("instance")).isEmpty();
        storage.relayState().put("instance", "one");
        storage.relayState().put("instance", "two");
        assertThat(storage.relayState().get("instance")).contains("two");
    }

    @Test
    void auditLogNewestFirst() {
        storage.audit().record("admin", "host.block", "pds.example.com", "spam");
        storage.audit().record("admin", "repo.takedown", "did:plc:x", null);
        storage.audit().record("ops", "ban.add", "bad.example", "");
        var recent = storage.audit().recent(2);
        assertThat(recent).extracting(AuditEntry::action).containsExactly("ban.add", "repo.takedown");
        assertThat(recent.get(1).detail()).isEmpty();
        assertThat(recent.get(0).id()).isGreaterThan(recent.get(1).id());
        assertThat(recent.get(0).at()).isNotNull();
    }

    @Test
    void healthyWhenWorking() {
        var status = storage.health();
        assertThat(status.healthy()).isTrue();
        assertThat(status.reason()).isEmpty();
        assertThat(storage.buffers()).isNotEmpty().allSatisfy(b -> {
            assertThat(b.capacity()).isPositive();
            assertThat(b.entries()).isBetween(0L, b.capacity());
        });
    }
}
