package dev.jlay.appliance;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.util.HashMap;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** appliance/relay.yaml, the reference configuration, and the appliance's environment file agree with DESIGN.md. */
class RelayConfigReferenceTest {

    @Test
    void theFixedPointsHaveTheirDocumentedNamesAndDefaults() {
        var keys = RelayConfigReference.load();
        var envToKey = new HashMap<String, String>();
        keys.keySet().forEach(k -> envToKey.put(RelayConfigReference.envName(k), k));
        assertThat(envToKey).containsKeys("RELAY_PORT", "RELAY_METRICS_PORT", "RELAY_ADMIN_TOKEN", "RELAY_DATA_DIR",
                "RELAY_DATABASE_URL", "RELAY_PLC_URL", "RELAY_ALLOW_INSECURE_HOSTS");
        assertThat(keys).containsEntry("port", 2470).containsEntry("metrics.port", 2471)
                .containsEntry("data.dir", "./data").containsEntry("allow-insecure-hosts", false)
                .containsEntry("admin.token", "").containsEntry("retention.max-age", "72h");
    }

    @Test
    void noTwoKeysShareAnEnvironmentName() {
        var seen = new HashMap<String, String>();
        for (String key : RelayConfigReference.load().keySet()) {
            String previous = seen.put(RelayConfigReference.envName(key), key);
            assertThat(previous).as(key + " and " + previous + " map to the same variable").isNull();
        }
    }

    @Test
    void everySettingInTheApplianceEnvironmentIsAKeyOfTheReference() throws IOException {
        var env = RelayConfigReference.load().keySet().stream().map(RelayConfigReference::envName).toList();
        // RELAY_CONFIG names the file itself; JLAY_* are read by bin/jlay-relay, not by the relay.
        for (String line : Files.readAllLines(RepoFiles.file("appliance/relay.env"))) {
            if (line.startsWith("RELAY_") && !line.startsWith("RELAY_CONFIG=")) {
                assertThat(env).as("appliance/relay.env: " + line).contains(line.substring(0, line.indexOf('=')));
            }
        }
    }

    @Test
    void noSecretIsWrittenIntoTheReferenceOrTheImage() throws IOException {
        var keys = RelayConfigReference.load();
        assertThat(keys.get("admin.token")).isEqualTo("");
        assertThat(keys.get("database.password")).isEqualTo("");
        for (String f : Set.of("appliance/relay.env", "appliance/relay.yaml")) {
            assertThat(Files.readString(RepoFiles.file(f))).doesNotContainPattern("(?m)^RELAY_(ADMIN_TOKEN|DATABASE_PASSWORD)=");
        }
        assertThat(Files.readString(RepoFiles.file("packer/scripts/seal.sh"))).contains("rm -f /etc/jlay/secrets.env");
    }
}
