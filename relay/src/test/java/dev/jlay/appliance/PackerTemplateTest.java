package dev.jlay.appliance;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * packer/jlay.pkr.hcl validates with Debian's Packer 1.6.6 (installed by
 * scripts/setup). Validation reads no network: the image checksum has no
 * URL default, and the inputs that only a real build needs are given
 * placeholders here: an empty file as the package tarball, an all-zero
 * checksum, a dummy Hetzner token.
 */
class PackerTemplateTest {

    @TempDir
    Path tmp;

    private Command validate(String... extra) throws IOException {
        Path packer = Command.require("packer", "packer");
        Path placeholder = Files.createFile(tmp.resolve("jlay-placeholder.tar.gz"));
        // qemu.local reads its SSH key at validate time: a throwaway one.
        Path key = tmp.resolve("packer_ed25519");
        Command keygen = Command.run(tmp, Map.of(), List.of(
                Command.require("ssh-keygen", "openssh-client").toString(),
                "-q", "-t", "ed25519", "-N", "", "-f", key.toString()));
        assertThat(keygen.exitCode()).as(keygen.output()).isZero();
        var argv = new java.util.ArrayList<>(List.of(packer.toString(), "validate",
                "-var", "package=" + placeholder,
                "-var", "cloud_image_checksum=sha512:" + "0".repeat(128),
                "-var", "base_image_checksum=sha256:" + "0".repeat(64),
                "-var", "base_ssh_key=" + key));
        argv.addAll(List.of(extra));
        argv.add(RepoFiles.file("packer").toString());
        return Command.run(RepoFiles.root(), Map.of("CHECKPOINT_DISABLE", "1", "HCLOUD_TOKEN", "validate-only"), argv);
    }

    @Test
    void theTemplateValidates() throws IOException {
        Command result = validate();
        assertThat(result.exitCode()).as(result.output()).isZero();
    }

    @Test
    void aWrongVariableIsRejected() throws IOException {
        // Proves validate really evaluates the template.
        Command result = validate("-var", "no_such_variable=1");
        assertThat(result.exitCode()).as(result.output()).isNotZero();
    }

    @Test
    void bothSourcesShareOneProvisioningScript() throws IOException {
        String hcl = Files.readString(RepoFiles.file("packer/jlay.pkr.hcl"));
        assertThat(hcl).contains("source \"qemu\" \"local\"", "source \"qemu\" \"debian\"", "source \"hcloud\" \"debian\"",
                "sources = [\"source.qemu.local\", \"source.qemu.debian\", \"source.hcloud.debian\"]",
                "provision.sh", "seal.sh");
        assertThat(RepoFiles.file("packer/scripts/provision.sh")).isExecutable();
        assertThat(RepoFiles.file("packer/scripts/seal.sh")).isExecutable();
    }
}
