package dev.jlay.eventlog;

import dev.jlay.metrics.MetricRegistry;
import dev.jlay.testing.SeqStampedFrames;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * Run in a separate JVM by {@link KillNineTest}: appends frames forever and
 * prints {@code ack <index> <seq>} for every frame the sequencer reported
 * durable. The parent kills it with SIGKILL mid-stream.
 */
public final class SequencerChild {
    public static void main(String[] args) throws Exception {
        var dir = Path.of(args[0]);
        long firstIndex = Long.parseLong(args[1]);
        var settings = new EventLogService.Settings(dir, 1, 1024, 1 << 20,
                new Sequencer.Options(512, 64, TimeUnit.MILLISECONDS.toNanos(1)),
                Duration.ofHours(72), Long.MAX_VALUE, Duration.ofHours(1), 1 << 20);
        var svc = new EventLogService(settings, SeqStampedFrames.STAMPER, new MetricRegistry(), System::currentTimeMillis);
        var out = System.out;
        System.out.println("ready " + svc.log().nextSeq());
        System.out.flush();
        for (long i = firstIndex; ; i++) {
            long index = i;
            svc.sequencer().submit(new Submission(SeqStampedFrames.payload(index, 200 + (int) (index % 300)),
                    EventKind.COMMIT, "did:plc:child", 0, new Durable() {
                        @Override
                        public void durable(long seq, byte[] frame) {
                            synchronized (out) {
                                out.println("ack " + index + " " + seq);
                                out.flush();
                            }
                        }

                        @Override
                        public void failed(Throwable error) {
                            synchronized (out) {
                                out.println("fail " + index + " " + error);
                                out.flush();
                            }
                        }
                    }));
        }
    }
}
