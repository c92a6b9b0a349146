package dev.jlay.atproto.syntax;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.jlay.testing.SharedFixtures;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Predicate;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicContainer;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Every line of every file in interop/syntax/ as its own test. File names are
 * {@code <kind>_syntax_valid.txt}, {@code <kind>_syntax_invalid.txt} and {@code <kind>_parse_invalid.txt}
 * (syntactically plausible but not a real value). A file of an unknown kind or shape fails.
 */
class SyntaxInteropTest {

    /** A validator and, where the type has one, its throwing parser. */
    private record Kind(Predicate<String> isValid, Consumer<String> parse) {}

    private static final Map<String, Kind> KINDS = Map.of(
            "did", new Kind(Did::isValid, Did::parse),
            "handle", new Kind(Handle::isValid, Handle::parse),
            "atidentifier", new Kind(AtIdentifier::isValid, null),
            "nsid", new Kind(Nsid::isValid, Nsid::parse),
            "tid", new Kind(Tid::isValid, Tid::parse),
            "recordkey", new Kind(RecordKey::isValid, RecordKey::requireValid),
            "aturi", new Kind(AtUri::isValid, AtUri::parse),
            "cid", new Kind(CidString::isValid, null),
            "datetime", new Kind(Datetime::isValid, Datetime::parse),
            "uri", new Kind(GenericUri::isValid, null));

    @TestFactory
    Stream<DynamicNode> syntaxFixtures() throws IOException {
        Path dir = SharedFixtures.interopDir().resolve("syntax");
        assertThat(dir).isDirectory();
        List<Path> files;
        try (var s = Files.list(dir)) {
            files = s.filter(p -> p.getFileName().toString().endsWith(".txt")).sorted().toList();
        }
        assertThat(files).as("fixture files in %s", dir).isNotEmpty();
        return files.stream().map(SyntaxInteropTest::fileContainer);
    }

    private static DynamicNode fileContainer(Path file) {
        String name = file.getFileName().toString();
        String base = name.substring(0, name.length() - ".txt".length());
        boolean expectValid;
        String kindName;
        if (base.endsWith("_syntax_valid")) {
            expectValid = true;
            kindName = base.substring(0, base.length() - "_syntax_valid".length());
        } else if (base.endsWith("_syntax_invalid")) {
            expectValid = false;
            kindName = base.substring(0, base.length() - "_syntax_invalid".length());
        } else if (base.endsWith("_parse_invalid")) {
            expectValid = false;
            kindName = base.substring(0, base.length() - "_parse_invalid".length());
        } else {
            return DynamicTest.dynamicTest(name + ": unknown fixture file shape", () -> {
                throw new AssertionError("do not know how to check " + file);
            });
        }
        Kind kind = KINDS.get(kindName);
        if (kind == null) {
            return DynamicTest.dynamicTest(name + ": no validator for kind '" + kindName + "'", () -> {
                throw new AssertionError("no validator for " + file);
            });
        }
        List<DynamicTest> tests = new ArrayList<>();
        List<String> lines = readLines(file);
        for (int i = 0; i < lines.size(); i++) {
            String value = lines.get(i);
            if (value.isEmpty() || value.startsWith("#")) {
                continue;
            }
            String display = name + ":" + (i + 1) + " " + (expectValid ? "accepts " : "rejects ") + show(value);
            tests.add(DynamicTest.dynamicTest(display, () -> check(kind, value, expectValid)));
        }
        return DynamicContainer.dynamicContainer(name, tests);
    }

    private static void check(Kind kind, String value, boolean expectValid) {
        assertThat(kind.isValid().test(value)).as("isValid(%s)", show(value)).isEqualTo(expectValid);
        if (kind.parse() != null) {
            if (expectValid) {
                kind.parse().accept(value);
            } else {
                assertThatThrownBy(() -> kind.parse().accept(value)).isInstanceOf(SyntaxException.class);
            }
        }
    }

    /** Splits on LF only; a trailing CR or spaces stay part of the value. */
    private static List<String> readLines(Path file) {
        try {
            String text = Files.readString(file, StandardCharsets.UTF_8);
            List<String> lines = new ArrayList<>(List.of(text.split("\n", -1)));
            if (!lines.isEmpty() && lines.getLast().isEmpty()) {
                lines.removeLast();
            }
            return lines;
        } catch (IOException e) {
            throw new IllegalStateException("cannot read " + file, e);
        }
    }

    /** Quoted, with long values shortened so test names stay readable. */
    private static String show(String value) {
        String v = value.length() > 100
                ? value.substring(0, 60) + "...(" + value.length() + " chars)..." + value.substring(value.length() - 20)
                : value;
        return "\"" + v + "\"";
    }
}
