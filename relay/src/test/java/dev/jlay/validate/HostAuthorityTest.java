package dev.jlay.validate;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import org.junit.jupiter.api.Test;

class HostAuthorityTest {

    @Test
    void hostAndPortMustMatchTheEndpoint() {
        var pds = URI.create("https://morel.us-east.host.bsky.network");
        assertThat(HostAuthority.matches(pds, "morel.us-east.host.bsky.network")).isTrue();
        assertThat(HostAuthority.matches(pds, "MOREL.us-east.host.bsky.network.")).isTrue();
        assertThat(HostAuthority.matches(pds, "wss://morel.us-east.host.bsky.network")).isTrue();
        assertThat(HostAuthority.matches(pds, "morel.us-east.host.bsky.network:443")).isTrue();
        assertThat(HostAuthority.matches(pds, "morel.us-east.host.bsky.network:8443")).isFalse();
        assertThat(HostAuthority.matches(pds, "ws://morel.us-east.host.bsky.network")).isFalse();
        assertThat(HostAuthority.matches(pds, "amanita.us-east.host.bsky.network")).isFalse();
        assertThat(HostAuthority.matches(pds, "evil.network")).isFalse();
        assertThat(HostAuthority.matches(null, "x")).isFalse();
    }

    @Test
    void loopbackNamesAreOneMachineButPortsStillCount() {
        var pds = URI.create("http://localhost:2583");
        assertThat(HostAuthority.matches(pds, "localhost:2583")).isTrue();
        assertThat(HostAuthority.matches(pds, "127.0.0.1:2583")).isTrue();
        assertThat(HostAuthority.matches(pds, "[::1]:2583")).isTrue();
        assertThat(HostAuthority.matches(pds, "ws://127.0.0.1:2583")).isTrue();
        assertThat(HostAuthority.matches(pds, "localhost:2584")).isFalse();
        assertThat(HostAuthority.matches(pds, "localhost")).isFalse();
    }
}
