package dev.jlay.store;

/** Per-host limits: accounts admitted, and events per sliding second / hour / day. */
public record HostLimits(long accountLimit, long eventsPerSecond, long eventsPerHour, long eventsPerDay) {
    public HostLimits {
        if (accountLimit < 0 || eventsPerSecond < 0 || eventsPerHour < 0 || eventsPerDay < 0) {
            throw new IllegalArgumentException("limits must not be negative");
        }
    }
}
