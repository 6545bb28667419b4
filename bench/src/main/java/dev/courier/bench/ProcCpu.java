package dev.courier.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** CPU time a process has used so far (user + system), read from {@code /proc/<pid>/stat}. */
final class ProcCpu {
    /** Linux's USER_HZ on every architecture the project runs on ({@code getconf CLK_TCK}). */
    static final int DEFAULT_TICKS_PER_SECOND = 100;

    private ProcCpu() {
    }

    /** Seconds of CPU the process has used, or -1 if {@code pid} is 0 or its stat cannot be read (it ended). */
    static double seconds(long pid, int ticksPerSecond) {
        if (pid <= 0) {
            return -1;
        }
        try {
            return ticks(Files.readString(Path.of("/proc", Long.toString(pid), "stat"))) / (double) ticksPerSecond;
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    /** Seconds of CPU every process on the machine has used since boot (all cores, idle and I/O wait left out), or -1. */
    static double machineSeconds(int ticksPerSecond) {
        try {
            return busyTicks(Files.readString(Path.of("/proc/stat"))) / (double) ticksPerSecond;
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    /** user + nice + system + irq + softirq + steal of the {@code cpu} line of {@code /proc/stat}. */
    static long busyTicks(String procStat) {
        String line = procStat.lines().filter(l -> l.startsWith("cpu ")).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no cpu line in /proc/stat"));
        String[] f = line.trim().split("\\s+");
        long busy = 0;
        for (int i : new int[] {1, 2, 3, 6, 7, 8}) {
            busy += i < f.length ? Long.parseLong(f[i]) : 0;
        }
        return busy;
    }

    /**
     * utime + stime (fields 14 and 15) of a {@code /proc/<pid>/stat} line. The command name (field 2) is in
     * parentheses and may hold spaces and parentheses itself, so fields are counted after its last ')'.
     */
    static long ticks(String stat) {
        int close = stat.lastIndexOf(')');
        if (close < 0) {
            throw new IllegalArgumentException("not a /proc/<pid>/stat line");
        }
        String[] fields = stat.substring(close + 1).trim().split("\\s+");
        // fields[0] is field 3 (state), so field n is fields[n - 3].
        if (fields.length < 13) {
            throw new IllegalArgumentException("too few fields in /proc/<pid>/stat");
        }
        return Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
    }
}
