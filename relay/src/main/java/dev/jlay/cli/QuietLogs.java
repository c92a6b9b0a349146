package dev.jlay.cli;

import java.util.List;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * demo and simulate start dozens of servers: the libraries' per-server INFO lines would bury
 * the status line, so those loggers only speak up from WARNING.
 */
final class QuietLogs {
    // JUL holds loggers weakly: keep them, or the level is forgotten
    private static final List<Logger> KEPT = List.of(Logger.getLogger("io.helidon"), Logger.getLogger("io.zonky"),
            Logger.getLogger("org.flywaydb"), Logger.getLogger("com.zaxxer.hikari"));

    private QuietLogs() {}

    static void apply() {
        for (Logger l : KEPT) l.setLevel(Level.WARNING);
    }
}
