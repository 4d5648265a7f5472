package kiln.benchmarks;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

import kiln.drm.api.DrmException;
import kiln.drm.api.fence.DmaFence;
import kiln.drm.api.fence.FenceContext;
import kiln.drm.api.fence.SignalableFence;
import kiln.drm.api.sched.Entity;
import kiln.drm.api.sched.Job;
import kiln.drm.api.sched.JobBackend;
import kiln.drm.api.sched.Priority;
import kiln.drm.api.sched.Scheduler;
import kiln.drm.api.sched.TimeoutStatus;
import kiln.drm.impl.fence.FenceService;
import kiln.drm.impl.sched.SchedulerService;

/**
 * drm_sched and fence wake-ups. {@code jobThroughput}: 10 000 jobs pushed through one entity (no
 * dependencies, the backend completes each synchronously), timed until the last finished fence;
 * reported per job (jobs/s = 1e9 / score). {@code fenceWakeRoundTrip}: the benchmark thread
 * signals a fence a virtual thread waits on, which signals one back: two signal-to-wake hops,
 * beside {@code baselineParkRoundTrip}, the same ping-pong with bare park/unpark.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class SchedBenchmark {
    private static final int JOBS = 10_000;

    private final FenceService fences = new FenceService();
    private Scheduler<Integer> scheduler;
    private Entity<Integer> entity;

    private FenceContext ping;
    private FenceContext pong;
    private volatile SignalableFence toWaiter;
    private volatile SignalableFence toBench;
    private Thread fenceEcho;
    private Thread parkEcho;
    private volatile Thread bench;
    private volatile boolean parkFlag;
    private volatile boolean parkBack;

    @Setup(Level.Trial)
    public void setUp() throws DrmException {
        scheduler = new SchedulerService(fences).create("bench", 64, Duration.ofSeconds(10), new JobBackend<>() {
            @Override
            public DmaFence run(Job<Integer> job) {
                return null;
            }

            @Override
            public TimeoutStatus timedOut(Job<Integer> job) {
                return TimeoutStatus.NOMINAL;
            }
        });
        entity = scheduler.createEntity(Priority.NORMAL);
        ping = fences.createContext("bench", "ping");
        pong = fences.createContext("bench", "pong");
        bench = Thread.currentThread();
        fenceEcho = Thread.ofVirtual().start(() -> {
            try {
                while (!Thread.currentThread().isInterrupted()) {
                    SignalableFence in = toWaiter;
                    if (in == null) {
                        LockSupport.park();
                        continue;
                    }
                    in.await();
                    toWaiter = null;
                    toBench.signal();
                }
            } catch (InterruptedException | DrmException e) {
                Thread.currentThread().interrupt();
            }
        });
        parkEcho = Thread.ofVirtual().start(() -> {
            while (!Thread.currentThread().isInterrupted()) {
                while (!parkFlag) {
                    LockSupport.park();
                    if (Thread.currentThread().isInterrupted()) {
                        return;
                    }
                }
                parkFlag = false;
                parkBack = true;
                LockSupport.unpark(bench);
            }
        });
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        fenceEcho.interrupt();
        parkEcho.interrupt();
        scheduler.fini();
    }

    @Benchmark
    @OperationsPerInvocation(JOBS)
    public DmaFence jobThroughput() throws DrmException, InterruptedException {
        Job<Integer> last = null;
        for (int i = 0; i < JOBS; i++) {
            last = entity.newJob(i, 1).push();
        }
        last.finished().await();
        return last.finished();
    }

    @Benchmark
    public DmaFence fenceWakeRoundTrip() throws DrmException, InterruptedException {
        SignalableFence out = ping.next();
        SignalableFence back = pong.next();
        toBench = back;
        toWaiter = out;
        LockSupport.unpark(fenceEcho);
        out.signal();
        back.await();
        return back;
    }

    @Benchmark
    public boolean baselineParkRoundTrip() {
        parkBack = false;
        parkFlag = true;
        LockSupport.unpark(parkEcho);
        while (!parkBack) {
            LockSupport.park();
        }
        return true;
    }
}
