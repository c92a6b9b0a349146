package dev.jlay.store;

import java.util.Locale;

/** What the account's PDS said about it in its latest #account event. */
public enum UpstreamStatus {
    ACTIVE, DEACTIVATED, DELETED, DESYNCHRONIZED, SUSPENDED, TAKENDOWN, THROTTLED;

    public String value() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static UpstreamStatus of(String value) {
        return valueOf(value.toUpperCase(Locale.ROOT));
    }
}
