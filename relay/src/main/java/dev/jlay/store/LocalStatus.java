package dev.jlay.store;

import java.util.Locale;

/** What this relay decided about an account (admin takedowns, account limits). */
public enum LocalStatus {
    ACTIVE, TAKENDOWN, SUSPENDED, THROTTLED;

    public String value() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static LocalStatus of(String value) {
        return valueOf(value.toUpperCase(Locale.ROOT));
    }
}
