package kiln.benchmarks;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

import kiln.drm.api.DrmException;
import kiln.drm.api.fence.FenceContext;
import kiln.drm.api.fence.SignalableFence;
import kiln.drm.impl.fence.FenceService;

/**
 * dma_fence create + add one callback + signal, single thread, no waiter, against the JDK's
 * nearest equivalent: {@code new CompletableFuture} + {@code thenRun} + {@code complete}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class FenceBenchmark {
    private final FenceContext context = new FenceService().createContext("bench", "ring");
    private int counter;

    @Benchmark
    public SignalableFence createCallbackSignal() throws DrmException {
        SignalableFence fence = context.next();
        fence.addCallback(f -> counter++);
        fence.signal();
        return fence;
    }

    @Benchmark
    public CompletableFuture<Void> baselineCompletableFuture(Blackhole bh) {
        CompletableFuture<Void> future = new CompletableFuture<>();
        CompletableFuture<Void> dependent = future.thenRun(() -> counter++);
        future.complete(null);
        bh.consume(dependent);
        return future;
    }
}
