package kiln.benchmarks;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.jar.Attributes;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;

import org.apache.felix.framework.FrameworkFactory;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.osgi.framework.Bundle;
import org.osgi.framework.Constants;
import org.osgi.framework.FrameworkEvent;
import org.osgi.framework.launch.Framework;
import org.osgi.framework.wiring.FrameworkWiring;

import kiln.agx.api.firmware.Firmware;
import kiln.agx.api.uapi.AsahiUapi;
import kiln.agx.client.drm.AsahiDevice;
import kiln.agx.client.drm.AsahiDevice.Compute;
import kiln.agx.client.drm.AsahiDevice.Sync;
import kiln.firmware.fw12_3.internal.Firmware12_3;
import kiln.firmware.fw13_2.internal.Firmware13_2;

/**
 * A live firmware swap of a t8103 with 1 000 no-op compute jobs in flight (submitted on two
 * queues just before; the swap quiesces the firmware, lets the commands it started finish, stops
 * it, rebuilds every firmware structure in the other version's ABI, boots it and replays the
 * commands that had not started — clients are held back for all of it, so that whole call is the
 * downtime), alternating 13.2 and 12.3. The baseline, in the
 * same run: Felix updating an empty bundle and refreshing it, until the refresh has finished.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED", "-Xmx2g"})
public class SwapBenchmark {
    static final int IN_FLIGHT = 1000;

    /** A t8103 with a client, two queues and 1 000 jobs put in flight before each swap. */
    @State(Scope.Benchmark)
    public static class Gpu {
        private AsahiFixture fixture;
        private AsahiDevice dev;
        private final List<Integer> queues = new ArrayList<>();
        private final List<Compute> command = new ArrayList<>();
        private int sync;
        private final Firmware[] firmware = {new Firmware12_3(), new Firmware13_2()};
        private int next;

        @Setup(Level.Trial)
        public void setUp() throws Exception {
            fixture = new AsahiFixture();
            dev = AsahiDevice.open(fixture.client(), fixture.renderNode());
            int vm = dev.vmCreate();
            queues.add(dev.queueCreate(vm, AsahiUapi.QUEUE_CAP_COMPUTE, 1));
            queues.add(dev.queueCreate(vm, AsahiUapi.QUEUE_CAP_COMPUTE, 2));
            sync = dev.syncobjCreate(0);
            command.add(Compute.of(AsahiUapi.VM_USER_START, AsahiUapi.VM_USER_START));
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            fixture.close();
        }

        /** Puts the jobs in flight (not measured). */
        @Setup(Level.Invocation)
        public void submit() throws Exception {
            for (int i = 0; i < IN_FLIGHT; i++) {
                boolean last = i == IN_FLIGHT - 1;
                dev.submit(queues.get(i % 2), List.of(), last ? List.of(Sync.binary(sync)) : List.of(), command, 0);
            }
        }

        /** Every job of the swap finishes (not measured). */
        @TearDown(Level.Invocation)
        public void awaitJobs() throws Exception {
            dev.syncobjWait(new int[] {sync}, System.nanoTime() + TimeUnit.SECONDS.toNanos(30), 0);
        }
    }

    /** A Felix framework with one empty bundle. */
    @State(Scope.Benchmark)
    public static class Felix {
        private Framework framework;
        private Bundle empty;
        private byte[] emptyJar;

        @Setup(Level.Trial)
        public void setUp() throws Exception {
            Path storage = Files.createTempDirectory("kiln-swap-bench");
            framework = new FrameworkFactory().newFramework(Map.of(Constants.FRAMEWORK_STORAGE, storage.toString(),
                    Constants.FRAMEWORK_STORAGE_CLEAN, Constants.FRAMEWORK_STORAGE_CLEAN_ONFIRSTINIT));
            framework.start();
            emptyJar = emptyBundle();
            empty = framework.getBundleContext().installBundle("kiln:empty", new ByteArrayInputStream(emptyJar));
            empty.start();
        }

        @TearDown(Level.Trial)
        public void tearDown() throws Exception {
            framework.stop();
            framework.waitForStop(10_000);
        }
    }

    private static byte[] emptyBundle() throws IOException {
        Manifest m = new Manifest();
        Attributes a = m.getMainAttributes();
        a.put(Attributes.Name.MANIFEST_VERSION, "1.0");
        a.putValue(Constants.BUNDLE_MANIFESTVERSION, "2");
        a.putValue(Constants.BUNDLE_SYMBOLICNAME, "kiln.empty");
        a.putValue(Constants.BUNDLE_VERSION, "1.0.0");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (JarOutputStream jar = new JarOutputStream(out, m)) {
            jar.flush();
        }
        return out.toByteArray();
    }

    @Benchmark
    public Object swapWith1000JobsInFlight(Gpu gpu) throws Exception {
        Firmware to = gpu.firmware[gpu.next++ % 2];
        return gpu.fixture.gpu.swapFirmware(to, Duration.ofSeconds(10), "SwapBenchmark");
    }

    @Benchmark
    public void baselineFelixUpdateAndRefreshEmptyBundle(Felix felix) throws Exception {
        felix.empty.update(new ByteArrayInputStream(felix.emptyJar));
        CountDownLatch refreshed = new CountDownLatch(1);
        felix.framework.adapt(FrameworkWiring.class).refreshBundles(List.of(felix.empty), e -> {
            if (e.getType() == FrameworkEvent.PACKAGES_REFRESHED) {
                refreshed.countDown();
            }
        });
        if (!refreshed.await(30, TimeUnit.SECONDS)) {
            throw new IllegalStateException("no refresh");
        }
    }
}
