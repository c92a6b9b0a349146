package dev.jlay.upstream;

import dev.jlay.net.ForbiddenAddressException;

import dev.jlay.net.AddressGuard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import org.junit.jupiter.api.Test;

class AddressGuardTest {
    private static InetAddress ip(String literal) throws Exception {
        return InetAddress.getByName(literal); // literals only: no DNS
    }

    @Test
    void internalAndReservedAddressesAreForbidden() throws Exception {
        for (String a : new String[] {
            "0.0.0.0", "10.0.0.1", "10.255.255.255", "100.64.0.1", "100.127.255.254", "127.0.0.1", "127.1.2.3",
            "169.254.169.254", "172.16.0.1", "172.31.255.255", "192.0.0.8", "192.0.2.1", "192.88.99.1",
            "192.168.1.1", "198.18.0.1", "198.19.255.255", "198.51.100.7", "203.0.113.9", "224.0.0.1",
            "239.255.255.250", "240.0.0.1", "255.255.255.255",
            "::", "::1", "::ffff:127.0.0.1", "::ffff:10.1.2.3", "::ffff:169.254.169.254", "::127.0.0.1",
            "64:ff9b::a00:1", "64:ff9b::7f00:1", "64:ff9b:1::1", "100::1", "2001::1", "2001:db8::1", "2001:10::1",
            "2002:7f00:1::", "2002:c0a8:101::", "fc00::1", "fd12:3456::1", "fe80::1", "febf::1", "fec0::1",
            "ff02::1", "::2", "4000::1"}) {
            assertThat(AddressGuard.forbiddenReason(ip(a))).as(a).isNotNull();
        }
    }

    @Test
    void publicAddressesAreAllowed() throws Exception {
        for (String a : new String[] {"1.1.1.1", "8.8.8.8", "93.184.216.34", "100.63.255.255", "100.128.0.1",
                "172.15.255.255", "172.32.0.1", "192.167.1.1", "198.20.0.1", "223.255.255.254",
                "2606:4700:4700::1111", "2a00:1450::1", "64:ff9b::808:808", "2002:808:808::", "::ffff:8.8.8.8"}) {
            assertThat(AddressGuard.forbiddenReason(ip(a))).as(a).isNull();
        }
    }

    @Test
    void namesAreJudgedByEveryAddressTheyResolveTo() throws Exception {
        var guard = new AddressGuard(false);
        // real resolution of names that resolve to loopback on any machine
        assertThatThrownBy(() -> guard.check("localhost")).isInstanceOf(ForbiddenAddressException.class)
                .hasMessageContaining("loopback");
        assertThatThrownBy(() -> guard.check("127.0.0.1")).isInstanceOf(ForbiddenAddressException.class);
        assertThatThrownBy(() -> guard.check("[::1]")).isInstanceOf(ForbiddenAddressException.class);
        assertThatThrownBy(() -> guard.check("::ffff:7f00:1")).isInstanceOf(ForbiddenAddressException.class);
        assertThatThrownBy(() -> guard.check("")).isInstanceOf(ForbiddenAddressException.class);
        assertThatThrownBy(() -> guard.check("no-such-host.invalid")).isInstanceOf(ForbiddenAddressException.class);

        var fake = new AddressGuard(false, name -> switch (name) {
            case "good.example" -> new InetAddress[] {literal("93.184.216.34")};
            case "mixed.example" -> new InetAddress[] {literal("93.184.216.34"), literal("fd00::1")};
            default -> new InetAddress[0];
        });
        assertThat(fake.check("good.example")).hasSize(1);
        assertThatThrownBy(() -> fake.check("mixed.example")).isInstanceOf(ForbiddenAddressException.class)
                .hasMessageContaining("unique local");
        assertThatThrownBy(() -> fake.check("empty.example")).isInstanceOf(ForbiddenAddressException.class);
    }

    @Test
    void insecureModeAllowsEverything() throws Exception {
        var guard = new AddressGuard(true);
        guard.check("localhost");
        guard.check("10.0.0.1");
        assertThat(guard.allowInsecureHosts()).isTrue();
    }

    private static InetAddress literal(String s) {
        try {
            return InetAddress.getByName(s);
        } catch (java.net.UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }
}
