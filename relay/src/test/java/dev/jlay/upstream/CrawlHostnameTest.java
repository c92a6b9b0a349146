package dev.jlay.upstream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class CrawlHostnameTest {

    @ParameterizedTest
    @CsvSource({
            "pds.example.com, pds.example.com",
            "PDS.Example.COM, pds.example.com",
            "https://pds.example.com, pds.example.com",
            "https://pds.example.com/, pds.example.com",
            "'  morel.us-east.host.bsky.network  ', morel.us-east.host.bsky.network",
            "a-b.c0.xyz, a-b.c0.xyz",
            "a.b, a.b"})
    void acceptsPublicHostnamesAndNormalizesThem(String raw, String expected) throws Exception {
        var h = CrawlHostname.parse(raw, false);
        assertThat(h.name()).isEqualTo(expected);
        assertThat(h.port()).isEqualTo(-1);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "   ", "localhost", "com", "1.2.3.4", "127.0.0.1", "10.0.0.1", "0x7f.1",
            "[::1]", "::1", "fe80::1", "2001:db8::1", "pds.example.com:443", "pds.example.com:2583",
            "http://pds.example.com", "ftp://pds.example.com", "pds.example.com/xrpc", "user@pds.example.com",
            "pds.example.com?x=1", "-pds.example.com", "pds-.example.com", "pds..example.com", ".example.com",
            "pds.example.com.", "pds_1.example.com", "pds.exa mple.com", "pds.localhost", "printer.local",
            "x.internal", "site.onion", "4.3.2.1.in-addr.arpa", "a.example", "host.invalid", "a.alt",
            "pds.example.123"})
    void refusesIpsSingleLabelsPortsAndJunkWhenSecure(String raw) {
        assertThatThrownBy(() -> CrawlHostname.parse(raw, false))
                .isInstanceOf(CrawlRefusedException.InvalidHostname.class);
    }

    @ParameterizedTest
    @CsvSource({
            "localhost:2583, localhost, 2583",
            "http://localhost:2583, localhost, 2583",
            "pds.localhost:9000, pds.localhost, 9000",
            "localhost, localhost, -1"})
    void insecureModeAllowsPortsLocalhostAndHttp(String raw, String host, int port) throws Exception {
        var h = CrawlHostname.parse(raw, true);
        assertThat(h.host()).isEqualTo(host);
        assertThat(h.port()).isEqualTo(port);
    }

    @ParameterizedTest
    @ValueSource(strings = {"127.0.0.1:2583", "[::1]:2583", "localhost:0", "localhost:65536", "localhost:x",
            "router:80"})
    void insecureModeStillRefusesIpLiteralsBadPortsAndOtherSingleLabels(String raw) {
        assertThatThrownBy(() -> CrawlHostname.parse(raw, true))
                .isInstanceOf(CrawlRefusedException.InvalidHostname.class);
    }

    @org.junit.jupiter.api.Test
    void labelsLongerThan63AndNamesLongerThan253AreRefused() throws Exception {
        var label63 = "a".repeat(63);
        assertThat(CrawlHostname.parse(label63 + ".com", false).host()).hasSize(67);
        assertThatThrownBy(() -> CrawlHostname.parse("a" + label63 + ".com", false))
                .isInstanceOf(CrawlRefusedException.InvalidHostname.class);
        var long254 = (label63 + ".").repeat(3) + "a".repeat(61) + ".com"; // 257 characters
        assertThatThrownBy(() -> CrawlHostname.parse(long254, false))
                .isInstanceOf(CrawlRefusedException.InvalidHostname.class);
    }
}
