package dev.jlay.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.jlay.atproto.stream.ErrorMessage;
import dev.jlay.atproto.stream.FirehoseCodec;
import dev.jlay.pipeline.FrameFile;
import dev.jlay.testing.LoopbackPds;
import dev.jlay.testing.SharedFixtures;
import io.helidon.common.buffers.BufferData;
import io.helidon.webserver.WebServer;
import io.helidon.webserver.websocket.WsRouting;
import io.helidon.websocket.WsCloseCodes;
import io.helidon.websocket.WsListener;
import io.helidon.websocket.WsSession;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code capture} against real loopback WebSockets: the file is exactly what the host sent. */
class CaptureCommandTest {

    @TempDir
    Path tmp;

    record Run(int exit, String err) {}

    static Run capture(String... args) {
        var err = new StringWriter();
        var cmd = new CommandLine(new CaptureCommand());
        cmd.setOut(new PrintWriter(new StringWriter()));
        cmd.setErr(new PrintWriter(err));
        int exit = cmd.execute(args);
        return new Run(exit, err.toString());
    }

    private static Path corpus(String name) {
        return SharedFixtures.corpusDir().resolve(name);
    }

    @Test
    void recordsTheCorpusByteForByteAndItVerifies() throws Exception {
        byte[] served = Files.readAllBytes(corpus("pds0.frames"));
        List<byte[]> frames = FrameFile.parse(served);
        Path out = tmp.resolve("cap.frames");
        try (var pds = new LoopbackPds(frames)) {
            var run = capture(pds.url(), "--out", out.toString(), "--limit", String.valueOf(frames.size()));
            assertThat(run.exit()).as(run.err()).isZero();
            assertThat(run.err()).contains(frames.size() + " frames, " + served.length + " bytes")
                    .contains("limit of " + frames.size());
        }
        assertThat(Files.readAllBytes(out)).isEqualTo(served);

        // LoopbackPds listens on 127.0.0.1:<random>, not the documents' localhost:2583: verify without --host
        var verified = VerifyCommandTest.verify(out.toString(), "--did-docs", corpus("did-docs.json").toString(),
                "--quiet");
        assertThat(verified.exit()).isZero();
        assertThat(verified.summary().path("frames").asLong()).isEqualTo(frames.size());
        assertThat(verified.summary().path("valid").asLong()).isEqualTo(frames.size());
    }

    @Test
    void limitStopsAfterNFrames() throws Exception {
        List<byte[]> frames = FrameFile.read(corpus("pds0.frames"));
        Path out = tmp.resolve("cap.frames");
        try (var pds = new LoopbackPds(frames)) {
            String ws = pds.url().replace("http://", "ws://") + "/xrpc/com.atproto.sync.subscribeRepos";
            var run = capture(ws, "--out", out.toString(), "--limit", "7");
            assertThat(run.exit()).as(run.err()).isZero();
            assertThat(run.err()).contains("7 frames");
        }
        assertThat(Files.readAllBytes(out)).isEqualTo(FrameFile.encode(frames.subList(0, 7)));
    }

    @Test
    void idleStopsAtTheEndOfAReplayThatStaysOpen() throws Exception {
        // a PDS replaying from cursor 0 keeps the socket open for its live tail: --idle ends the capture
        List<byte[]> frames = FrameFile.read(corpus("pds0.frames")).subList(0, 12);
        Path out = tmp.resolve("cap.frames");
        try (var host = new ScriptedHost(s -> {
            for (byte[] f : frames) s.send(BufferData.create(f), true);
            // ...and then nothing, without closing
        })) {
            var run = capture(host.url(), "--out", out.toString(), "--cursor", "0", "--idle", "700ms");
            assertThat(run.exit()).as(run.err()).isZero();
            assertThat(run.err()).contains("12 frames").contains("no frame for 700ms");
        }
        assertThat(Files.readAllBytes(out)).isEqualTo(FrameFile.encode(frames));
        assertThat(CaptureCommand.duration("5s")).hasSeconds(5);
        assertThat(CaptureCommand.duration("2m")).hasMinutes(2);
        assertThat(CaptureCommand.duration("1.5")).hasMillis(1500);
        assertThat(capture("ws://127.0.0.1:9", "--out", tmp.resolve("x").toString(), "--idle", "0s").exit()).isEqualTo(2);
        assertThat(capture("ws://127.0.0.1:9", "--out", tmp.resolve("x").toString(), "--idle", "soon").exit()).isEqualTo(2);
    }

    @Test
    void stopsAtTheHostsCloseWithEverythingBeforeIt() throws Exception {
        List<byte[]> frames = FrameFile.read(corpus("pds0.frames")).subList(0, 20);
        Path out = tmp.resolve("cap.frames");
        try (var host = new ScriptedHost(s -> {
            for (byte[] f : frames) s.send(BufferData.create(f), true);
            s.close(WsCloseCodes.NORMAL_CLOSE, "bye");
        })) {
            var run = capture(host.url(), "--out", out.toString());
            assertThat(run.exit()).as(run.err()).isZero();
            assertThat(run.err()).contains("closed by host: 1000 bye");
        }
        assertThat(Files.readAllBytes(out)).isEqualTo(FrameFile.encode(frames));
    }

    @Test
    void writesTheErrorFrameAndStopsThere() throws Exception {
        List<byte[]> corpus = FrameFile.read(corpus("pds0.frames"));
        byte[] error = FirehoseCodec.encode(new ErrorMessage(ErrorMessage.FUTURE_CURSOR, "cursor in the future"));
        var expected = new ArrayList<>(corpus.subList(0, 3));
        expected.add(error);
        Path out = tmp.resolve("cap.frames");
        try (var host = new ScriptedHost(s -> {
            for (byte[] f : expected) s.send(BufferData.create(f), true);
            for (byte[] f : corpus.subList(3, 10)) s.send(BufferData.create(f), true); // must not be recorded
        })) {
            var run = capture(host.url(), "--out", out.toString(), "--limit", "100");
            assertThat(run.exit()).as(run.err()).isZero();
            assertThat(run.err()).contains("error frame");
        }
        assertThat(Files.readAllBytes(out)).isEqualTo(FrameFile.encode(expected));
    }

    @Test
    void reassemblesFragmentedMessages() throws Exception {
        List<byte[]> frames = FrameFile.read(corpus("pds0.frames")).subList(0, 30);
        Path out = tmp.resolve("cap.frames");
        try (var host = new ScriptedHost(s -> {
            for (byte[] f : frames) {
                // three fragments of uneven size, one possibly empty
                int a = f.length / 3, b = f.length - 1;
                s.send(BufferData.create(Arrays.copyOfRange(f, 0, a)), false);
                s.send(BufferData.create(Arrays.copyOfRange(f, a, b)), false);
                s.send(BufferData.create(Arrays.copyOfRange(f, b, f.length)), true);
            }
        })) {
            var run = capture(host.url(), "--out", out.toString(), "--limit", "30");
            assertThat(run.exit()).as(run.err()).isZero();
        }
        assertThat(Files.readAllBytes(out)).isEqualTo(FrameFile.encode(frames));
    }

    @Test
    void failsClearlyOnAnOversizeMessageKeepingTheFramesBefore() throws Exception {
        List<byte[]> frames = FrameFile.read(corpus("pds0.frames")).subList(0, 5);
        Path out = tmp.resolve("cap.frames");
        try (var host = new ScriptedHost(s -> {
            for (byte[] f : frames) s.send(BufferData.create(f), true);
            s.send(BufferData.create(new byte[6000]), false);
            s.send(BufferData.create(new byte[6000]), true);
        })) {
            var run = capture(host.url(), "--out", out.toString(), "--max-message-bytes", "10000");
            assertThat(run.exit()).isEqualTo(1);
            assertThat(run.err()).contains("message of 12000 bytes exceeds the 10000-byte limit")
                    .contains("5 frames");
        }
        assertThat(Files.readAllBytes(out)).isEqualTo(FrameFile.encode(frames));
    }

    @Test
    void connectionRefusedIsAnErrorAndLeavesAnEmptyFile() throws Exception {
        int port;
        try (var s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        Path out = tmp.resolve("cap.frames");
        var run = capture("ws://127.0.0.1:" + port, "--out", out.toString());
        assertThat(run.exit()).isEqualTo(1);
        assertThat(run.err()).contains("failed").contains("0 frames");
        assertThat(Files.size(out)).isZero();
    }

    @Test
    void mapsUrlsToTheSubscribeEndpoint() {
        String p = "/xrpc/com.atproto.sync.subscribeRepos";
        assertThat(CaptureCommand.subscribeUri("https://bsky.network", null)).hasToString("wss://bsky.network" + p);
        assertThat(CaptureCommand.subscribeUri("http://localhost:2583/", null)).hasToString("ws://localhost:2583" + p);
        assertThat(CaptureCommand.subscribeUri("wss://Relay.Example" + p, 42L))
                .hasToString("wss://relay.example" + p + "?cursor=42");
        assertThat(CaptureCommand.subscribeUri("ws://127.0.0.1:9", 0L)).hasToString("ws://127.0.0.1:9" + p + "?cursor=0");
        assertThatThrownBy(() -> CaptureCommand.subscribeUri("ftp://x", null)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> CaptureCommand.subscribeUri("wss://x/other", null))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> CaptureCommand.subscribeUri("wss://x" + p + "?cursor=1", null))
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(capture("nohost", "--out", tmp.resolve("x").toString()).exit()).isEqualTo(2);
    }

    /** A loopback host that plays a script on each connection. */
    private static final class ScriptedHost implements AutoCloseable {
        private final WebServer server;

        ScriptedHost(Consumer<WsSession> script) {
            server = WebServer.builder().host("127.0.0.1").port(0)
                    .addRouting(WsRouting.builder().endpoint("/xrpc/com.atproto.sync.subscribeRepos", () -> new WsListener() {
                        @Override
                        public void onOpen(WsSession session) {
                            Thread.ofVirtual().start(() -> {
                                try {
                                    script.accept(session);
                                } catch (RuntimeException e) {
                                    // the client went away first: fine for a test host
                                }
                            });
                        }
                    }))
                    .build().start();
        }

        String url() {
            return "http://127.0.0.1:" + server.port();
        }

        @Override
        public void close() {
            server.stop();
        }
    }
}
