package kiln.benchmarks;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

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
 * reported per job (jobs/s = 1e9 / score). {@code fenceWakeHop}: signal-to-wake latency between two
 * virtual threads relaying through fences, beside {@code baselineParkHop}, the same relay with
 * bare park/unpark.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class SchedBenchmark {
    private static final int JOBS = 10_000;
    private static final int HOPS = 10_000;

    private final FenceService fences = new FenceService();
    private Scheduler<Integer> scheduler;
    private Entity<Integer> entity;

    private FenceContext ping;

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
    }

    @TearDown(Level.Trial)
    public void tearDown() {
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

    /**
     * Two virtual threads hand a token back and forth {@value #HOPS} times, each hop a fence the
     * sender signals and the receiver waits on: signal-to-wake latency between virtual threads,
     * reported per hop.
     */
    @Benchmark
    @OperationsPerInvocation(HOPS)
    public long fenceWakeHop() throws Exception {
        SignalableFence[] hops = new SignalableFence[HOPS];
        for (int i = 0; i < HOPS; i++) {
            hops[i] = ping.next();
        }
        Thread even = Thread.ofVirtual().start(() -> relay(hops, 0));
        Thread odd = Thread.ofVirtual().start(() -> relay(hops, 1));
        even.join();
        odd.join();
        return hops[HOPS - 1].seqno();
    }

    /** Waits for hop i - 1 (signalled by the other thread), then signals hop i, for every other i. */
    private static void relay(SignalableFence[] hops, int first) {
        try {
            for (int i = first; i < hops.length; i += 2) {
                if (i > 0) {
                    hops[i - 1].await();
                }
                hops[i].signal();
            }
        } catch (InterruptedException | DrmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The same relay with bare park/unpark and a volatile turn counter: the floor for a hop. */
    @Benchmark
    @OperationsPerInvocation(HOPS)
    public long baselineParkHop() throws Exception {
        java.util.concurrent.atomic.AtomicInteger turn = new java.util.concurrent.atomic.AtomicInteger();
        Thread[] pair = new Thread[2];
        Runnable[] bodies = new Runnable[2];
        for (int side = 0; side < 2; side++) {
            int me = side;
            bodies[side] = () -> {
                for (int i = me; i < HOPS; i += 2) {
                    while (turn.get() != i) {
                        LockSupport.park();
                    }
                    turn.set(i + 1);
                    LockSupport.unpark(pair[1 - me]);
                }
            };
        }
        pair[0] = Thread.ofVirtual().unstarted(bodies[0]);
        pair[1] = Thread.ofVirtual().unstarted(bodies[1]);
        pair[0].start();
        pair[1].start();
        pair[0].join();
        pair[1].join();
        return turn.get();
    }
}
