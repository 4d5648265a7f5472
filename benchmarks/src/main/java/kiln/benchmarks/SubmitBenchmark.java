package kiln.benchmarks;

import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.openjdk.jmh.annotations.AuxCounters;
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

import kiln.agx.api.uapi.AsahiIoctl;
import kiln.agx.api.uapi.AsahiUapi;
import kiln.agx.client.drm.AsahiDevice;
import kiln.agx.client.drm.AsahiDevice.Compute;
import kiln.agx.client.drm.AsahiDevice.Sync;

/**
 * No-op compute submissions through the whole asahi UAPI on a simulated t8103 running firmware
 * 13.2 (ioctl decode, scheduler job, firmware command objects, work queue, doorbell, the firmware
 * on the ASC, event, completion, job fence, out-sync), on one queue and on four, and the
 * submit-to-signal latency of a single job; the baseline is the cheapest ioctl of the same
 * driver ({@code GET_TIME}) in the same run. A "no-op" job has one compute command whose encoder
 * is empty. CPU time per job ({@link Cpu}): the submitting thread alone (the ioctl path: encode,
 * decode, job, scheduler queue, plus the wait) and the whole process (both cores: client,
 * scheduler, the simulated firmware and interrupt, GC, JIT).
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED", "-Xmx2g"})
@State(Scope.Benchmark)
public class SubmitBenchmark {
    static final int BATCH = 64;
    private AsahiFixture fixture;
    private AsahiDevice dev;
    private final List<Integer> queues = new ArrayList<>();
    private int sync;
    private long encoder;
    private final List<Compute> command = new ArrayList<>();
    private final List<Sync> none = List.of();
    private List<Sync> signal;

    @Setup(Level.Trial)
    public void setUp() throws Exception {
        fixture = new AsahiFixture();
        dev = AsahiDevice.open(fixture.client(), fixture.renderNode());
        int vm = dev.vmCreate();
        for (int i = 0; i < 4; i++) {
            queues.add(dev.queueCreate(vm, AsahiUapi.QUEUE_CAP_COMPUTE, 1));
        }
        sync = dev.syncobjCreate(0);
        signal = List.of(Sync.binary(sync));
        encoder = AsahiUapi.VM_USER_START;
        command.add(Compute.of(encoder, encoder));
    }

    @TearDown(Level.Trial)
    public void tearDown() throws Exception {
        fixture.close();
    }

    /**
     * CPU spent per throughput invocation, as JMH secondary results (summed per iteration): the
     * submitting thread (encode, ioctl decode, job, scheduler queue, and the final wait) and the
     * whole process (also the scheduler, the simulated firmware and interrupt, GC, JIT).
     */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.EVENTS)
    public static class Cpu {
        public long submitterCpuNanos;
        public long processCpuNanos;
        public long jobs;

        @Setup(Level.Iteration)
        public void reset() {
            submitterCpuNanos = 0;
            processCpuNanos = 0;
            jobs = 0;
        }

        long threadAtStart;
        long processAtStart;

        void start() {
            threadAtStart = THREADS.getCurrentThreadCpuTime();
            processAtStart = cpuNanos();
        }

        void end(int batch) {
            submitterCpuNanos += THREADS.getCurrentThreadCpuTime() - threadAtStart;
            processCpuNanos += cpuNanos() - processAtStart;
            jobs += batch;
        }
    }

    private static final java.lang.management.ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    private static long cpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
    }

    private void await() throws Exception {
        dev.syncobjWait(new int[] {sync}, System.nanoTime() + TimeUnit.SECONDS.toNanos(30), 0);
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public void noopJobsOneQueue(Cpu cpu) throws Exception {
        cpu.start();
        int q = queues.get(0);
        for (int i = 0; i < BATCH - 1; i++) {
            dev.submit(q, none, none, command, 0);
        }
        dev.submit(q, none, signal, command, 0);
        await();
        cpu.end(BATCH);
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public void noopJobsFourQueues(Cpu cpu) throws Exception {
        cpu.start();
        int[] syncs = fixture.syncs(dev, 4);
        for (int i = 0; i < BATCH; i++) {
            int qi = i % 4;
            boolean last = i >= BATCH - 4;
            dev.submit(queues.get(qi), none, last ? List.of(Sync.binary(syncs[qi])) : none, command, 0);
        }
        dev.syncobjWait(syncs, System.nanoTime() + TimeUnit.SECONDS.toNanos(30), AsahiDevice.SYNCOBJ_WAIT_ALL);
        cpu.end(BATCH);
    }

    @Benchmark
    @BenchmarkMode(Mode.SampleTime)
    @OutputTimeUnit(TimeUnit.MICROSECONDS)
    public void submitToSignalLatency() throws Exception {
        dev.submit(queues.get(1), none, signal, command, 0);
        await();
    }

    @Benchmark
    public void baselineGetTime() throws Exception {
        dev.ioctl(AsahiIoctl.GET_TIME);
    }
}
