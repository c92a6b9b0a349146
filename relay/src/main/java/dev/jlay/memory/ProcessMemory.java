package dev.jlay.memory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** The process's resident set from /proc/self/status, split as the kernel splits it. */
public record ProcessMemory(long rss, long anon, long file, long shmem) {

    public static ProcessMemory read() {
        try {
            return parse(Files.readString(Path.of("/proc/self/status")));
        } catch (IOException e) {
            return new ProcessMemory(0, 0, 0, 0);
        }
    }

    static ProcessMemory parse(String status) {
        long rss = 0, anon = 0, file = 0, shmem = 0;
        for (String line : status.split("\n")) {
            if (line.startsWith("VmRSS:")) rss = kib(line);
            else if (line.startsWith("RssAnon:")) anon = kib(line);
            else if (line.startsWith("RssFile:")) file = kib(line);
            else if (line.startsWith("RssShmem:")) shmem = kib(line);
        }
        return new ProcessMemory(rss, anon, file, shmem);
    }

    private static long kib(String line) {
        String digits = line.replaceAll("[^0-9]", "");
        return digits.isEmpty() ? 0 : Long.parseLong(digits) * 1024;
    }
}
