package dev.jlay.metrics;

import java.util.Arrays;
import java.util.regex.Pattern;

/** One series' label set: names and (unescaped) values, in registration order; checked when made. */
record MetricLabels(String[] names, String[] values) {
    static final MetricLabels NONE = new MetricLabels(new String[0], new String[0]);
    private static final Pattern LABEL = Pattern.compile("[a-z][a-z0-9_]*");

    /** One label, or none when {@code label} is null. */
    static MetricLabels of(String label, String value) {
        if (label == null) {
            return NONE;
        }
        checkName(label);
        checkValue(value);
        return new MetricLabels(new String[] {label}, new String[] {value});
    }

    static MetricLabels of(String label1, String value1, String label2, String value2) {
        checkName(label1);
        checkName(label2);
        if (label1.equals(label2)) {
            throw new IllegalArgumentException("duplicate label: " + label1);
        }
        checkValue(value1);
        checkValue(value2);
        return new MetricLabels(new String[] {label1, label2}, new String[] {value1, value2});
    }

    /** {@code le} is the histogram's own label. */
    static void checkName(String label) {
        if (label == null || !LABEL.matcher(label).matches() || label.equals("le")) {
            throw new IllegalArgumentException("bad label name: " + label);
        }
    }

    /** Registered values are bounded so a family's size in bytes is too. */
    static void checkValue(String value) {
        if (value == null || value.isEmpty() || value.length() > 64) {
            throw new IllegalArgumentException("label value must be 1..64 chars: " + value);
        }
    }

    /** The same names with every value {@link SeriesFolding#OVERFLOW}. */
    MetricLabels overflow() {
        var v = new String[names.length];
        Arrays.fill(v, SeriesFolding.OVERFLOW);
        return new MetricLabels(names, v);
    }

    boolean sameValues(MetricLabels o) {
        return Arrays.equals(values, o.values);
    }
}
