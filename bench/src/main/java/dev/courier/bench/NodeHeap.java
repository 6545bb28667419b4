package dev.courier.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What the node's process holds, read from outside it: heap used right after a full collection ({@code jcmd <pid>
 * GC.run}, then {@code GC.heap_info}), resident memory and open file descriptors from {@code /proc}. The node's own
 * {@code /metrics} cannot be asked while its connection cap is reached.
 */
final class NodeHeap {
    /** One reading: heap used after a full GC, the heap's committed size, resident set size, open descriptors. */
    record Reading(long heapUsedBytes, long heapCommittedBytes, long rssBytes, int openFiles) {}

    private static final Pattern HEAP = Pattern.compile("total (\\d+)K, used (\\d+)K");
    private static final Pattern RSS = Pattern.compile("VmRSS:\\s+(\\d+) kB");

    private final long pid;

    NodeHeap(long pid) {
        this.pid = pid;
    }

    Reading read() throws IOException, InterruptedException, BenchFailure {
        jcmd("GC.run");
        String info = jcmd("GC.heap_info");
        Matcher heap = HEAP.matcher(info);
        if (!heap.find()) {
            throw new BenchFailure("jcmd " + pid + " GC.heap_info said no heap size: " + info);
        }
        Matcher rss = RSS.matcher(Files.readString(Path.of("/proc/" + pid + "/status")));
        long rssBytes = rss.find() ? Long.parseLong(rss.group(1)) * 1024 : -1;
        int files;
        try (var fds = Files.list(Path.of("/proc/" + pid + "/fd"))) {
            files = (int) fds.count();
        }
        return new Reading(Long.parseLong(heap.group(2)) * 1024, Long.parseLong(heap.group(1)) * 1024, rssBytes,
                files);
    }

    private String jcmd(String command) throws IOException, InterruptedException, BenchFailure {
        Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
        Process process = new ProcessBuilder(jcmd.toString(), Long.toString(pid), command)
                .redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
            throw new BenchFailure("jcmd " + pid + " " + command + " failed: " + output);
        }
        return output;
    }
}
