package dev.jlay.atproto.syntax;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class RepoPathAndDidMethodTest {

    @Test
    void repoPaths() {
        for (String ok : List.of("app.bsky.feed.post/3jzfcijpj2z2a", "com.example.record/self", "a.b.c/lang:",
                "app.bsky.actor.profile/self", "com.example.foo/" + "o".repeat(512))) {
            assertThat(RepoPath.isValid(ok)).as(ok).isTrue();
            assertThat(RepoPath.isValid(ok.getBytes(StandardCharsets.UTF_8))).as(ok).isTrue();
        }
        for (String bad : List.of("", "/app.bsky.feed.post/abc", "app.bsky.feed.post", "app.bsky.feed.post/",
                "app.bsky.feed.post/a/b", "app.bsky.feed.post/..", "nsid/abc", "app.bsky.feed.post/ab c",
                "app.bsky.feed.post/é", "com.example.foo/" + "o".repeat(513))) {
            assertThat(RepoPath.isValid(bad)).as(bad).isFalse();
            assertThat(RepoPath.isValid(bad.getBytes(StandardCharsets.UTF_8))).as(bad).isFalse();
        }
        assertThat(RepoPath.collection("app.bsky.feed.post/abc")).isEqualTo("app.bsky.feed.post");
        assertThat(RepoPath.rkey("app.bsky.feed.post/abc")).isEqualTo("abc");
    }

    @Test
    void plcAndWebForms() {
        assertThat(Did.isValidPlc("did:plc:ewvi7nxzyoun6zhxrhs64oiz")).isTrue();
        assertThat(Did.isValidPlc("did:plc:ewvi7nxzyoun6zhxrhs64oi")).isFalse();
        assertThat(Did.isValidPlc("did:plc:EWVI7NXZYOUN6ZHXRHS64OIZ")).isFalse();
        assertThat(Did.isValidPlc("did:plc:ewvi7nxzyoun6zhxrhs64oi1")).isFalse();
        assertThat(Did.parse("did:plc:ewvi7nxzyoun6zhxrhs64oiz").isSupportedMethod()).isTrue();
        assertThat(Did.parse("did:key:zQ3shZc2QzApp2oymGvQbzP8eKheVshBHbU4ZYjeXqwSKEn6N").isSupportedMethod()).isFalse();
        assertThat(Did.parse("did:web:example.com").webHost()).isEqualTo("example.com");
        assertThat(Did.parse("did:web:localhost%3A1234").webHost()).isEqualTo("localhost:1234");
        assertThatThrownBy(() -> Did.parse("did:web:example.com:path").webHost()).isInstanceOf(SyntaxException.class);
        assertThatThrownBy(() -> Did.parse("did:web:localhost").webHost()).isInstanceOf(SyntaxException.class);
        assertThatThrownBy(() -> Did.parse("did:web:localhost%3A99999").webHost()).isInstanceOf(SyntaxException.class);
        assertThatThrownBy(() -> Did.parse("did:plc:abc").webHost()).isInstanceOf(SyntaxException.class);
    }
}
