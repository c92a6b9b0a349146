package dev.jlay.appliance;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jlay.config.ConfigKey;
import dev.jlay.config.ConfigKeys;
import dev.jlay.config.RelayConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * appliance/relay.yaml is the reference configuration: the relay's own loader
 * accepts it, it documents every key the relay has with its default, and the
 * appliance's environment file only sets keys the relay knows.
 */
class RelayConfigReferenceTest {

    @Test
    void theRelayLoadsTheReferenceWithoutProblemsOrWarnings() {
        RelayConfig config = RelayConfig.load(Optional.of(RepoFiles.file("appliance/relay.yaml")), Map.of());
        assertThat(config.warnings()).isEmpty();
        assertThat(config.port()).isEqualTo(2470);
        assertThat(config.get(ConfigKeys.METRICS_PORT)).isEqualTo("2471");
    }

    @Test
    void everyKeyOfTheRelayIsInTheReferenceWithItsDefault() {
        var file = RelayConfigReference.load();
        for (ConfigKey key : ConfigKeys.ALL) {
            assertThat(file).as("relay.yaml documents " + key.path()).containsKey(key.path());
            assertThat(String.valueOf(file.get(key.path()))).as(key.path() + " in relay.yaml is the default")
                    .isEqualTo(key.defaultValue());
        }
        assertThat(file.keySet()).as("relay.yaml has only keys the relay knows (planned ones stay commented)")
                .isEqualTo(ConfigKeys.ALL.stream().map(ConfigKey::path).collect(Collectors.toSet()));
    }

    @Test
    void theFixedPointsOfDesignMdAreKeys() {
        var env = ConfigKeys.ALL.stream().map(ConfigKey::envName).collect(Collectors.toSet());
        assertThat(env).contains("RELAY_PORT", "RELAY_METRICS_PORT", "RELAY_ADMIN_TOKEN", "RELAY_DATA_DIR",
                "RELAY_DATABASE_URL", "RELAY_PLC_URL", "RELAY_ALLOW_INSECURE_HOSTS");
    }

    @Test
    void theApplianceEnvironmentSetsOnlyKnownKeys() throws IOException {
        var known = ConfigKeys.ALL.stream().map(ConfigKey::envName).collect(Collectors.toSet());
        for (String line : Files.readAllLines(RepoFiles.file("appliance/relay.env"))) {
            if (line.startsWith("RELAY_")) {
                assertThat(known).as("appliance/relay.env: " + line).contains(line.substring(0, line.indexOf('=')));
            }
        }
        // What first boot writes into secrets.env must be known keys too.
        String firstboot = Files.readString(RepoFiles.file("appliance/bin/jlay-firstboot"));
        for (String name : Set.of("RELAY_ADMIN_TOKEN", "RELAY_DATABASE_URL")) {
            assertThat(firstboot).contains("echo \"" + name + "=");
            assertThat(known).contains(name);
        }
    }

    @Test
    void noSecretIsWrittenIntoTheReferenceOrTheImage() throws IOException {
        var keys = RelayConfigReference.load();
        assertThat(keys.get("admin.token")).isEqualTo("");
        assertThat(keys.get("database.url")).isEqualTo("");
        for (String f : Set.of("appliance/relay.env", "appliance/relay.yaml")) {
            assertThat(Files.readString(RepoFiles.file(f)))
                    .doesNotContainPattern("(?m)^RELAY_(ADMIN_TOKEN|DATABASE_URL)=");
        }
        assertThat(Files.readString(RepoFiles.file("packer/scripts/seal.sh"))).contains("rm -f /etc/jlay/secrets.env");
    }
}
