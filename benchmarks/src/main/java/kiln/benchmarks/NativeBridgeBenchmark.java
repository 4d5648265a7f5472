package kiln.benchmarks;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.lang.annotation.Annotation;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;

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

import kiln.drm.api.device.DrmDevice;
import kiln.drm.bridge.BridgeServer;

/**
 * Native programs' calls into Kiln, measured in C by {@code bench-driver} (built with
 * drm.bridge's test programs) under {@code bin/kiln-exec}, against the DRM core of
 * {@link KilnFixture} served by a {@link BridgeServer} of this JVM. Each invocation asks the C
 * side for {@value #OPS} calls and takes the time it reports: a no-op ioctl's round trip from C
 * through the preload library to Kiln and back; its floor, a bare {@code SOCK_SEQPACKET}
 * socket-pair round trip between two C threads; the same ioctl on {@code /dev/null}; SYNCOBJ_WAIT
 * on a signalled syncobj; a GEM object's whole life (create, mmap, write, munmap, close).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(value = 1, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED"})
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class NativeBridgeBenchmark {
    static final int OPS = 2000;

    private KilnFixture fixture;
    private BridgeServer server;
    private Process helper;
    private Writer toHelper;
    private BufferedReader fromHelper;
    private Path dir;

    @Setup(Level.Trial)
    public void start() throws Exception {
        Path root = Path.of(NativeBridgeBenchmark.class.getProtectionDomain().getCodeSource().getLocation().toURI())
                .getParent().getParent().getParent();
        Path program = root.resolve("drm.bridge/target/native/tests/bench-driver");
        if (!Files.isExecutable(program)) {
            throw new IllegalStateException("no " + program + " (mvn -pl drm.bridge package builds it; it needs libdrm.so.2)");
        }
        fixture = new KilnFixture(true);
        dir = Files.createTempDirectory("kiln-bench-bridge");
        Path socket = dir.resolve("kiln.sock");
        server = new BridgeServer(fixture.clients, null, new BridgeServer.Config() {
            @Override
            public String socket() {
                return socket.toString();
            }

            @Override
            public int[] allowed_uids() {
                return new int[0];
            }

            @Override
            public boolean use_process_vm() {
                return true;
            }

            @Override
            public Class<? extends Annotation> annotationType() {
                return BridgeServer.Config.class;
            }
        });
        DrmDevice d = fixture.device;
        server.addDevice(d, Map.of(DrmDevice.PRIMARY_MINOR, d.primaryMinor(), DrmDevice.RENDER_MINOR, d.renderMinor(),
                DrmDevice.DRIVER_NAME, "bench"));
        server.awaitTree();
        ProcessBuilder pb = new ProcessBuilder(root.resolve("bin/kiln-exec").toString(), program.toString(),
                "/dev/dri/" + d.renderNode()).redirectError(ProcessBuilder.Redirect.INHERIT);
        pb.environment().put("KILN_SOCKET", socket.toString());
        helper = pb.start();
        toHelper = new OutputStreamWriter(helper.getOutputStream(), StandardCharsets.US_ASCII);
        fromHelper = new BufferedReader(new InputStreamReader(helper.getInputStream(), StandardCharsets.US_ASCII));
        String ready = fromHelper.readLine();
        if (!"ready".equals(ready)) {
            throw new IllegalStateException("bench-driver did not start: " + ready);
        }
    }

    private long run(String op) throws IOException {
        toHelper.write(op + " " + OPS + "\n");
        toHelper.flush();
        String answer = fromHelper.readLine();
        if (answer == null || answer.startsWith("error")) {
            throw new IllegalStateException(op + ": " + answer);
        }
        return Long.parseLong(answer);
    }

    @Benchmark
    @OperationsPerInvocation(OPS)
    public long socketPairPingPong() throws IOException {
        return run("pingpong");
    }

    @Benchmark
    @OperationsPerInvocation(OPS)
    public long kilnNoopIoctl() throws IOException {
        return run("noop");
    }

    @Benchmark
    @OperationsPerInvocation(OPS)
    public long devNullIoctl() throws IOException {
        return run("devnull");
    }

    @Benchmark
    @OperationsPerInvocation(OPS)
    public long syncobjWaitSignalled() throws IOException {
        return run("syncobj_wait");
    }

    /** GEM create, mmap offset, mmap, a write, munmap, GEM_CLOSE: one object's life seen from C. */
    @Benchmark
    @OperationsPerInvocation(OPS)
    public long gemCreateMmapClose() throws IOException {
        return run("gem");
    }

    @TearDown(Level.Trial)
    public void stop() throws Exception {
        if (helper != null) {
            toHelper.close();
            helper.waitFor(10, TimeUnit.SECONDS);
            helper.destroyForcibly();
        }
        if (server != null) {
            server.deactivate();
        }
    }
}
