package kiln.benchmarks;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.openjdk.jmh.results.RunResult;

/**
 * The performance goals, each computed from figures of the same run: a ratio to a
 * baseline measured beside it, or an absolute bound where the goal is one. A goal whose figures
 * were not run (a name filter) is skipped.
 */
final class Goals {
    private Goals() {
    }

    record Line(String goal, String figure, String target, String verdict) {
    }

    static List<Line> evaluate(Collection<RunResult> results) {
        Map<String, Double> score = new HashMap<>();
        for (RunResult r : results) {
            score.put(key(r), r.getPrimaryResult().getScore());
        }
        List<Line> lines = new ArrayList<>();
        ratio(lines, score, "ioctl no-op vs ioctl(2) on /dev/null", "IoctlBenchmark.kilnNoopIoctl",
                "IoctlBenchmark.nativeIoctlDevNull", 0.08);
        ratio(lines, score, "native no-op ioctl from C through the bridge vs socket-pair round trip",
                "NativeBridgeBenchmark.kilnNoopIoctl", "NativeBridgeBenchmark.socketPairPingPong", 2.0);
        ratio(lines, score, "native no-op ioctl from C through the bridge vs ioctl(2) on /dev/null",
                "NativeBridgeBenchmark.kilnNoopIoctl", "NativeBridgeBenchmark.devNullIoctl", Double.NaN);
        reported(lines, score, "native SYNCOBJ_WAIT on a signalled syncobj, per call",
                "NativeBridgeBenchmark.syncobjWaitSignalled", "ns");
        reported(lines, score, "native GEM create+mmap+write+munmap+close, per object",
                "NativeBridgeBenchmark.gemCreateMmapClose", "ns");
        ratio(lines, score, "fence create+callback+signal vs CompletableFuture", "FenceBenchmark.createCallbackSignal",
                "FenceBenchmark.baselineCompletableFuture", 1.2);
        ratio(lines, score, "drm_mm insert+remove (10 k nodes) vs TreeMap put+remove", "MmBenchmark.Steady.insertRemove",
                "MmBenchmark.Steady.baselineTreeMapPutRemove", Double.NaN);
        bound(lines, score, "drm_mm insert+remove (10 k nodes)", "MmBenchmark.Steady.insertRemove", 800, "ns");
        for (String mode : List.of("LOW", "HIGH")) {
            Double t10 = score.get("MmBenchmark.Fragmented.insert8KiB[mode=" + mode + ",n=10000]");
            Double t20 = score.get("MmBenchmark.Fragmented.insert8KiB[mode=" + mode + ",n=20000]");
            if (t10 != null && t20 != null) {
                double per10 = t10 * 1000 / 10_000;
                double per20 = t20 * 1000 / 20_000;
                lines.add(new Line("drm_mm fragmented insert, " + mode + ", per insert at 10 k / 20 k",
                        String.format("%.0f / %.0f ns", per10, per20), "<= 650 ns", per10 <= 650 && per20 <= 650 ? "met" : "MISSED"));
                double scaling = t20 / t10;
                lines.add(new Line("drm_mm fragmented insert, " + mode + ", time(20 k) / time(10 k)",
                        String.format("%.2f", scaling), "<= 2.3", scaling <= 2.3 ? "met" : "MISSED"));
            }
        }
        Double few = score.get("MmBenchmark.Listing.holes[n=64]");
        Double many = score.get("MmBenchmark.Listing.holes[n=65536]");
        if (few != null && many != null) {
            double scaling = many / few;
            lines.add(new Line("drm_mm holes() with one hole, 64 k nodes vs 64 nodes", String.format("%.2fx", scaling),
                    "<= 2x", scaling <= 2 ? "met" : "MISSED"));
        }
        bound(lines, score, "GEM create + handle + close (16 KiB, no pages)", "GemBenchmark.createHandleClose", 1000, "ns");
        bound(lines, score, "GEM handle lookup (+ reference)", "GemBenchmark.handleLookup", 10, "ns");
        ratio(lines, score, "GEM handle lookup vs ConcurrentHashMap.get", "GemBenchmark.handleLookup",
                "GemBenchmark.baselineMapGet", Double.NaN);
        Double perJob = score.get("SchedBenchmark.jobThroughput");
        if (perJob != null) {
            double jobsPerSecond = 1e9 / perJob;
            lines.add(new Line("scheduler jobs/s, one entity, no dependencies", String.format("%.0f", jobsPerSecond),
                    ">= 500000", jobsPerSecond >= 500_000 ? "met" : "MISSED"));
        }
        for (String queues : List.of("OneQueue", "FourQueues")) {
            Double perSubmit = score.get("SubmitBenchmark.noopJobs" + queues);
            if (perSubmit != null) {
                double jobsPerSecond = 1e9 / perSubmit;
                lines.add(new Line("no-op compute jobs/s through the asahi UAPI, " + queues, String.format("%.0f", jobsPerSecond),
                        ">= 250000", jobsPerSecond >= 250_000 ? "met" : "MISSED"));
            }
        }
        for (RunResult r : results) {
            String name = key(r);
            if (!name.startsWith("SubmitBenchmark.noopJobs")) {
                continue;
            }
            var secondary = r.getSecondaryResults();
            if (secondary.get("jobs") == null || secondary.get("jobs").getScore() <= 0) {
                continue;
            }
            double jobs = secondary.get("jobs").getScore();
            double submitter = secondary.get("submitterCpuNanos").getScore() / jobs / 1e3;
            double process = secondary.get("processCpuNanos").getScore() / jobs / 1e3;
            String queues = name.substring("SubmitBenchmark.noopJobs".length());
            lines.add(new Line("submit-path CPU per job (the submitting thread), " + queues, String.format("%.2f us", submitter),
                    "<= 2 us", submitter <= 2 ? "met" : "MISSED"));
            lines.add(new Line("whole-process CPU per job (incl. simulated firmware), " + queues,
                    String.format("%.2f us", process), "(reported)", "-"));
        }
        Double swap = score.get("SwapBenchmark.swapWith1000JobsInFlight");
        Double felixRefresh = score.get("SwapBenchmark.baselineFelixUpdateAndRefreshEmptyBundle");
        if (swap != null) {
            lines.add(new Line("firmware swap downtime, 1 000 jobs in flight", String.format("%.2f ms", swap), "<= 20 ms",
                    swap <= 20 ? "met" : "MISSED"));
        }
        ratio(lines, score, "firmware swap vs Felix update+refresh of an empty bundle", "SwapBenchmark.swapWith1000JobsInFlight",
                "SwapBenchmark.baselineFelixUpdateAndRefreshEmptyBundle", 2.0);
        ratio(lines, score, "no-op compute job vs GET_TIME ioctl (the ioctl floor)", "SubmitBenchmark.noopJobsOneQueue",
                "SubmitBenchmark.baselineGetTime", Double.NaN);
        ratio(lines, score, "fence signal -> virtual-thread waiter, per hop vs park/unpark",
                "SchedBenchmark.fenceWakeHop", "SchedBenchmark.baselineParkHop", 2.0);
        bound(lines, score, "fence signal -> virtual-thread waiter running, per hop", "SchedBenchmark.fenceWakeHop",
                1000, "ns");
        ratio(lines, score, "SAXPY, 1 Mi floats: simulated USC vs plain Java", "ComputeBenchmark.saxpyUsc",
                "ComputeBenchmark.saxpyJava", 20);
        ratio(lines, score, "256x256 matrix multiply: simulated USC vs plain Java", "ComputeBenchmark.matmulUsc",
                "ComputeBenchmark.matmulJava", 20);
        Double raster = score.get("RasterBenchmark.flatColorDepth");
        Double fill = score.get("RasterBenchmark.baselineFill");
        if (raster != null && fill != null) {
            double mpx = 1920.0 * 1080 / raster;
            double ratio = fill / raster;
            lines.add(new Line("fragment raster, flat colour + depth, 1080p", String.format("%.0f Mpx/s", mpx),
                    "(reported)", "-"));
            lines.add(new Line("fragment raster (linear attachments) vs MemorySegment.fill of the same bytes",
                    String.format("%.3fx", ratio), ">= 0.4x", ratio >= 0.4 ? "met" : "MISSED"));
        }
        Double tiled = score.get("RasterBenchmark.flatColorDepthTiled");
        if (tiled != null && fill != null) {
            double ratio = fill / tiled;
            lines.add(new Line("fragment raster, tiled attachments, 1080p", String.format("%.0f Mpx/s", 1920.0 * 1080 / tiled),
                    "(reported)", "-"));
            lines.add(new Line("fragment raster (tiled attachments) vs MemorySegment.fill of the same bytes",
                    String.format("%.3fx", ratio), ">= 0.4x", ratio >= 0.4 ? "met" : "MISSED"));
        }
        return lines;
    }

    private static void ratio(List<Line> lines, Map<String, Double> score, String goal, String figure, String baseline,
            double limit) {
        Double f = score.get(figure);
        Double b = score.get(baseline);
        if (f == null || b == null) {
            return;
        }
        double r = f / b;
        lines.add(new Line(goal, String.format("%.3fx", r), Double.isNaN(limit) ? "(reported)" : "<= " + limit + "x",
                Double.isNaN(limit) ? "-" : r <= limit ? "met" : "MISSED"));
    }

    private static void reported(List<Line> lines, Map<String, Double> score, String goal, String figure, String unit) {
        Double f = score.get(figure);
        if (f != null) {
            lines.add(new Line(goal, String.format("%.1f %s", f, unit), "(reported)", "-"));
        }
    }

    private static void bound(List<Line> lines, Map<String, Double> score, String goal, String figure, double limit,
            String unit) {
        Double f = score.get(figure);
        if (f == null) {
            return;
        }
        lines.add(new Line(goal, String.format("%.1f %s", f, unit), "<= " + limit + " " + unit, f <= limit ? "met" : "MISSED"));
    }

    /** Benchmark name without the package, with JMH parameters in brackets. */
    static String key(RunResult r) {
        String name = r.getParams().getBenchmark().replaceFirst("^kiln\\.benchmarks\\.", "");
        var params = r.getParams();
        List<String> ps = new ArrayList<>();
        for (String p : params.getParamsKeys()) {
            ps.add(p + "=" + params.getParam(p));
        }
        return ps.isEmpty() ? name : name + ps.toString().replace(" ", "");
    }
}
