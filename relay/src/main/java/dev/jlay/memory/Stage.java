package dev.jlay.memory;

import java.util.Locale;

/** The named pieces of pipeline work that carry a {@link StageMeter} (DESIGN.md "Stages and meters"). */
public enum Stage {
    RECEIVE, DECODE, IDENTITY, VALIDATE, MST, SEQUENCE, PERSIST, BROADCAST, INDEX, DB, RESOLVER;

    private final String label = name().toLowerCase(Locale.ROOT);

    /** The value of the {@code stage} label. */
    public String label() {
        return label;
    }
}
