package dev.jlay.identity;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.jlay.net.AddressGuard;
import java.net.InetAddress;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** DidResolver against a real HTTP server on loopback. */
class DidResolverTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    static final String DID = "did:plc:3nj6cd752h2c66r6sjvkenww";

    private PlcStub plc;
    private JsonNode corpus;
    private final List<AutoCloseable> closeables = new ArrayList<>();

    @BeforeEach
    void setUp() throws Exception {
        corpus = DidDocumentParserTest.corpus();
        plc = new PlcStub().serving(corpus);
    }

    @AfterEach
    void tearDown() throws Exception {
        for (AutoCloseable c : closeables) {
            c.close();
        }
        plc.close();
    }

    private ResolverConfig config() {
        return ResolverConfig.defaults(plc.url()).withTimeouts(Duration.ofSeconds(2), Duration.ofMillis(1500));
    }

    private DidResolver resolver(ResolverConfig config, AddressGuard guard) {
        var r = new DidResolver(config, guard);
        closeables.add(r);
        return r;
    }

    private DidResolver resolver() {
        return resolver(config(), new AddressGuard(false));
    }

    @Test
    void resolvesEveryCorpusDidFromTheDirectory() throws Exception {
        // the configured PLC directory is trusted: loopback works without insecure mode
        DidResolver r = resolver();
        var names = corpus.fieldNames();
        int n = 0;
        while (names.hasNext()) {
            String did = names.next();
            Identity id = Identity.of(r.fetch(did));
            assertThat(id.isFunctional()).isTrue();
            assertThat(id.pds()).isPresent();
            n++;
        }
        assertThat(n).isEqualTo(corpus.size());
    }

    @Test
    void statusCodesBecomeTypedErrors() {
        DidResolver r = resolver();
        String unknown = "did:plc:aaaaaaaaaaaaaaaaaaaaaaaa";
        assertThatThrownBy(() -> r.fetch(unknown)).isInstanceOf(IdentityException.NotFound.class);
        plc.status.put(DID, 410);
        assertThatThrownBy(() -> r.fetch(DID)).isInstanceOf(IdentityException.Tombstoned.class);
        plc.status.put(DID, 503);
        assertThatThrownBy(() -> r.fetch(DID)).isInstanceOf(IdentityException.Network.class)
                .hasMessageContaining("503").matches(e -> ((IdentityException) e).isTransient());
        plc.status.put(DID, 302);
        assertThatThrownBy(() -> r.fetch(DID)).isInstanceOf(IdentityException.Network.class);
    }

    @Test
    void badDidsFailBeforeAnyRequest() {
        DidResolver r = resolver();
        assertThatThrownBy(() -> r.fetch("not-a-did")).isInstanceOf(IdentityException.InvalidDid.class);
        assertThatThrownBy(() -> r.fetch("did:plc:short")).isInstanceOf(IdentityException.InvalidDid.class);
        assertThatThrownBy(() -> r.fetch("did:key:zQ3shmxpB8JgJWVuqZqFqKk61tDkFS2fscKAnDNHBUEZBgRdG"))
                .isInstanceOf(IdentityException.UnsupportedMethod.class);
        assertThatThrownBy(() -> r.fetch("did:web:example.com:user:alice"))
                .isInstanceOf(IdentityException.InvalidDid.class);
        assertThatThrownBy(() -> r.fetch("did:web:example.com%zz")).isInstanceOf(IdentityException.InvalidDid.class);
        assertThatThrownBy(() -> r.fetch("did:web:exa mple.com")).isInstanceOf(IdentityException.InvalidDid.class);
        assertThatThrownBy(() -> r.fetch("did:web:example.com%3A8443"))
                .as("ports only in insecure mode").isInstanceOf(IdentityException.InvalidDid.class);
        assertThat(plc.hits.values().stream().mapToInt(AtomicInteger::get).sum()).isZero();
    }

    @Test
    void documentForAnotherDidIsInvalid() {
        plc.docs.put(DID, plc.docs.get("did:plc:3zadihovj42klivinkzl3xcp"));
        assertThatThrownBy(() -> resolver().fetch(DID)).isInstanceOf(IdentityException.InvalidDocument.class);
        plc.docs.put(DID, "<html>".getBytes());
        assertThatThrownBy(() -> resolver().fetch(DID)).isInstanceOf(IdentityException.InvalidDocument.class);
    }

    @Test
    void oversizedBodyIsCutOff() {
        plc.hugeBodyBytes.put(DID, 50L * 1024 * 1024);
        DidResolver r = resolver(config().withLimits(16 * 1024, 4, 100), new AddressGuard(false));
        assertThatThrownBy(() -> r.fetch(DID)).isInstanceOf(IdentityException.Network.class)
                .hasMessageContaining("larger than");
        // a document with a declared length over the cap fails before its body is read
        byte[] big = new byte[20 * 1024];
        java.util.Arrays.fill(big, (byte) ' ');
        plc.docs.put("did:plc:3zadihovj42klivinkzl3xcp", big);
        assertThatThrownBy(() -> r.fetch("did:plc:3zadihovj42klivinkzl3xcp"))
                .isInstanceOf(IdentityException.Network.class).hasMessageContaining("larger than");
    }

    @Test
    void slowServerTimesOut() {
        plc.delayMs.put(DID, 5_000L);
        DidResolver r = resolver(config().withTimeouts(Duration.ofSeconds(1), Duration.ofMillis(300)),
                new AddressGuard(false));
        long start = System.nanoTime();
        assertThatThrownBy(() -> r.fetch(DID)).isInstanceOf(IdentityException.Network.class)
                .hasMessageContaining("timed out");
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(4));
    }

    @Test
    void concurrentRequestsAreBounded() throws Exception {
        var dids = new ArrayList<String>();
        corpus.fieldNames().forEachRemaining(dids::add);
        dids.forEach(d -> plc.delayMs.put(d, 150L));
        DidResolver r = resolver(config().withLimits(64 * 1024, 3, 100), new AddressGuard(false));
        try (var pool = Executors.newVirtualThreadPerTaskExecutor()) {
            var futures = dids.stream()
                    .map(d -> CompletableFuture.supplyAsync(() -> {
                        try {
                            return r.fetch(d);
                        } catch (Exception e) {
                            throw new IllegalStateException(e);
                        }
                    }, pool))
                    .toList();
            for (var f : futures) {
                assertThat(f.get().signingKey()).isPresent();
            }
        }
        assertThat(plc.maxActive.get()).isBetween(1, 3);
        assertThat(r.activeRequests()).isZero();
    }

    @Test
    void didWebUsesWellKnownPathAndPortInInsecureMode() throws Exception {
        String did = "did:web:localhost%3A" + plc.port();
        ObjectNode doc = (ObjectNode) corpus.get(DID).deepCopy();
        doc.put("id", did);
        ((ObjectNode) doc.get("verificationMethod").get(0)).put("controller", did).put("id", "#atproto");
        plc.docs.put(".well-known/did.json", JSON.writeValueAsBytes(doc));
        DidResolver r = resolver(config().withAllowInsecureHosts(true), new AddressGuard(true));
        Identity id = Identity.of(r.fetch(did));
        assertThat(id.did().value()).isEqualTo(did);
        assertThat(id.isFunctional()).isTrue();
        assertThat(plc.hits(".well-known/did.json")).isEqualTo(1);
    }

    @Test
    void didWebToInternalAddressesIsRefusedBeforeConnecting() {
        // names map to addresses through a fake resolver, so nothing leaves the machine
        var fakeDns = new AddressGuard(false, name -> {
            try {
                return switch (name) {
                    case "evil.example" -> new InetAddress[] {InetAddress.getByName("127.0.0.1")};
                    case "mixed.example" -> new InetAddress[] {
                        InetAddress.getByName("93.184.216.34"), InetAddress.getByName("10.1.2.3")};
                    case "meta.example" -> new InetAddress[] {InetAddress.getByName("169.254.169.254")};
                    case "v6.example" -> new InetAddress[] {InetAddress.getByName("::1")};
                    default -> throw new IllegalArgumentException("unknown host " + name);
                };
            } catch (java.net.UnknownHostException e) {
                throw new IllegalStateException(e);
            }
        });
        DidResolver r = resolver(config(), fakeDns);
        for (String did : new String[] {"did:web:evil.example", "did:web:mixed.example", "did:web:meta.example",
                "did:web:v6.example", "did:web:127.0.0.1", "did:web:10.0.0.8", "did:web:localhost",
                "did:web:nowhere.example"}) {
            assertThatThrownBy(() -> r.fetch(did)).as(did).isInstanceOf(IdentityException.ForbiddenHost.class);
        }
        assertThat(plc.hits.values().stream().mapToInt(AtomicInteger::get).sum()).isZero();
    }

    @Test
    void plcUrlWithTrailingSlashWorks() throws Exception {
        var cfg = ResolverConfig.defaults(URI.create(plc.url() + "/"));
        assertThat(resolver(cfg, new AddressGuard(false)).fetch(DID).signingKey()).isPresent();
    }
}
