package dev.jlay.appliance;

import java.nio.file.Files;
import java.nio.file.Path;

/** Finds the repository root (tests run in relay/), where appliance/, dashboards/ and packer/ live. */
final class RepoFiles {
    private RepoFiles() {}

    static Path root() {
        for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
            if (Files.isRegularFile(p.resolve("appliance/relay.yaml")) && Files.isDirectory(p.resolve("dashboards"))) {
                return p;
            }
        }
        throw new IllegalStateException("cannot find the repository root (appliance/relay.yaml) above "
                + Path.of("").toAbsolutePath());
    }

    static Path file(String relative) {
        Path p = root().resolve(relative);
        if (!Files.exists(p)) {
            throw new IllegalStateException("missing " + relative);
        }
        return p;
    }
}
