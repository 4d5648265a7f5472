package kiln.agx.client.demo;

import static kiln.agx.api.uapi.AsahiUapi.*;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.List;
import java.util.Random;

import kiln.agx.api.silicon.ControlStreams;
import kiln.agx.api.silicon.RenderFormats;
import kiln.agx.api.uapi.UapiStruct;
import kiln.agx.client.drm.AsahiDevice;
import kiln.drm.api.DrmException;
import kiln.drm.api.client.Client;

/**
 * Demo workloads that run through the asahi UAPI like any client's work and check what they
 * got: {@code saxpy} and {@code matmul} against the same arithmetic in Java, {@code scene} (a 3D
 * render) against its own clear colour, coverage and a digest.
 */
public final class Workloads {
    /** What a workload did and checked. */
    public record Outcome(String workload, boolean passed, String checked, long gpuMicros, byte[] image, int width,
            int height) {
    }

    private Workloads() {
    }

    /** The workloads by name. */
    public static final List<String> NAMES = List.of("saxpy", "matmul", "scene");

    /** Runs {@code name} on {@code node} for {@code client}. */
    public static Outcome run(String name, Client client, String node) throws DrmException {
        return switch (name) {
            case "saxpy" -> saxpy(client, node, 1 << 16);
            case "matmul" -> matmul(client, node, 64);
            case "scene" -> scene(client, node, 640, 400, 300);
            default -> throw new IllegalArgumentException("no workload " + name + "; there are " + NAMES);
        };
    }

    private static long micros(MemorySegment result, UapiStruct r, String start, String end) {
        return (result.get(ValueLayout.JAVA_LONG_UNALIGNED, r.offset(end))
                - result.get(ValueLayout.JAVA_LONG_UNALIGNED, r.offset(start))) / 24;
    }

    /**
     * SAXPY in KSA: thread {@code gid.x} computes {@code y[i] += a * x[i]} with {@code x} at uniform 0,
     * {@code y} at uniform 1 and the bits of {@code a} in uniform 2 (what native programs use too).
     */
    public static final String SAXPY_PROGRAM = """
            sr r0, gid.x
            ld r1, u0, r0
            ld r2, u1, r0
            umov r3, u2.lo
            fmul r1, r1, r3
            fadd r2, r2, r1
            st r2, u1, r0
            stop
            """;

    /** y = a * x + y over {@code n} floats; every element checked bit for bit against Java's {@code fma}-free order. */
    public static Outcome saxpy(Client client, String node, int n) throws DrmException {
        try (GpuSession s = new GpuSession(client, node, QUEUE_CAP_COMPUTE)) {
            GpuSession.Buffer x = s.buffer(4L * n);
            GpuSession.Buffer y = s.buffer(4L * n);
            GpuSession.Buffer result = s.buffer(GpuSession.PAGE);
            float a = 2.5f;
            float[] xs = new float[n];
            float[] ys = new float[n];
            Random random = new Random(1);
            for (int i = 0; i < n; i++) {
                xs[i] = random.nextFloat();
                ys[i] = random.nextFloat();
            }
            client.memory().copyOut(MemorySegment.ofArray(xs), 0, x.cpu(), 4L * n);
            client.memory().copyOut(MemorySegment.ofArray(ys), 0, y.cpu(), 4L * n);
            long program = s.program(SAXPY_PROGRAM);
            AsahiDevice.Compute launch = s.launch(program, n / 64, 64, x.va(), y.va(), Float.floatToRawIntBits(a));
            s.run(List.of(launch.withResult(0)), result.handle(), 30);
            float[] out = new float[n];
            client.memory().copyIn(y.cpu(), MemorySegment.ofArray(out), 0, 4L * n);
            int wrong = 0;
            for (int i = 0; i < n; i++) {
                float expected = ys[i] + a * xs[i];
                if (Float.floatToRawIntBits(out[i]) != Float.floatToRawIntBits(expected)) {
                    wrong++;
                }
            }
            MemorySegment r = MemorySegment.ofArray(new byte[UapiStruct.RESULT_COMPUTE.size()]);
            client.memory().copyIn(result.cpu(), r, 0, r.byteSize());
            int status = r.get(ValueLayout.JAVA_INT_UNALIGNED, UapiStruct.RESULT_COMPUTE.offset("info", "status"));
            return new Outcome("saxpy", wrong == 0 && status == STATUS_COMPLETE,
                    n + " floats, y = 2.5 x + y: " + (n - wrong) + " exact, " + wrong + " wrong; status " + status,
                    micros(r, UapiStruct.RESULT_COMPUTE, "ts_start", "ts_end"), null, 0, 0);
        }
    }

    /** C = A x B for {@code n} x {@code n} integer matrices; every element checked. */
    public static Outcome matmul(Client client, String node, int n) throws DrmException {
        try (GpuSession s = new GpuSession(client, node, QUEUE_CAP_COMPUTE)) {
            GpuSession.Buffer a = s.buffer(4L * n * n);
            GpuSession.Buffer b = s.buffer(4L * n * n);
            GpuSession.Buffer c = s.buffer(4L * n * n);
            GpuSession.Buffer result = s.buffer(GpuSession.PAGE);
            int[] as = new int[n * n];
            int[] bs = new int[n * n];
            Random random = new Random(2);
            for (int i = 0; i < n * n; i++) {
                as[i] = random.nextInt(100) - 50;
                bs[i] = random.nextInt(100) - 50;
            }
            client.memory().copyOut(MemorySegment.ofArray(as), 0, a.cpu(), 4L * n * n);
            client.memory().copyOut(MemorySegment.ofArray(bs), 0, b.cpu(), 4L * n * n);
            // one thread per element: row = gid / n, col = gid % n
            long program = s.program("""
                    sr    r0, gid.x
                    umov  r1, u3.lo
                    idiv  r2, r0, r1
                    irem  r3, r0, r1
                    movi  r4, #0
                    movi  r5, #0
                    imul  r6, r2, r1
                    loop
                      ige   r7, r4, r1
                      break r7
                      iadd  r8, r6, r4
                      ld    r9, u0, r8
                      imul  r10, r4, r1
                      iadd  r10, r10, r3
                      ld    r11, u1, r10
                      imul  r9, r9, r11
                      iadd  r5, r5, r9
                      iadd  r4, r4, #1
                    endloop
                    st    r5, u2, r0
                    stop
                    """);
            AsahiDevice.Compute launch = s.launch(program, n * n / 64, 64, a.va(), b.va(), c.va(), n);
            s.run(List.of(launch.withResult(0)), result.handle(), 60);
            int[] out = new int[n * n];
            client.memory().copyIn(c.cpu(), MemorySegment.ofArray(out), 0, 4L * n * n);
            int wrong = 0;
            for (int row = 0; row < n; row++) {
                for (int col = 0; col < n; col++) {
                    int sum = 0;
                    for (int k = 0; k < n; k++) {
                        sum += as[row * n + k] * bs[k * n + col];
                    }
                    if (out[row * n + col] != sum) {
                        wrong++;
                    }
                }
            }
            MemorySegment r = MemorySegment.ofArray(new byte[UapiStruct.RESULT_COMPUTE.size()]);
            client.memory().copyIn(result.cpu(), r, 0, r.byteSize());
            int status = r.get(ValueLayout.JAVA_INT_UNALIGNED, UapiStruct.RESULT_COMPUTE.offset("info", "status"));
            return new Outcome("matmul", wrong == 0 && status == STATUS_COMPLETE, n + "x" + n + " integers: "
                    + (n * n - wrong) + " elements right, " + wrong + " wrong; status " + status,
                    micros(r, UapiStruct.RESULT_COMPUTE, "ts_start", "ts_end"), null, 0, 0);
        }
    }

    /** {@code triangles} random triangles with depth into a {@code width} x {@code height} target. */
    public static Outcome scene(Client client, String node, int width, int height, int triangles) throws DrmException {
        try (GpuSession s = new GpuSession(client, node, QUEUE_CAP_RENDER)) {
            Scene scene = scene(s, width, height, triangles);
            GpuSession.Buffer result = s.buffer(GpuSession.PAGE);
            s.run(List.of(scene.render().withResult(0)), result.handle(), 60);
            byte[] image = scene.image(client);
            long covered = scene.covered(image);
            MemorySegment r = MemorySegment.ofArray(new byte[UapiStruct.RESULT_RENDER.size()]);
            client.memory().copyIn(result.cpu(), r, 0, r.byteSize());
            int status = r.get(ValueLayout.JAVA_INT_UNALIGNED, UapiStruct.RESULT_RENDER.offset("info", "status"));
            boolean ok = status == STATUS_COMPLETE && covered > 0 && covered < (long) width * height;
            return new Outcome("scene", ok, triangles + " triangles at " + width + "x" + height + ": " + covered
                    + " pixels covered, the rest the clear colour; status " + status + ", TVB overflows "
                    + r.get(ValueLayout.JAVA_INT_UNALIGNED, UapiStruct.RESULT_RENDER.offset("num_tvb_overflows")),
                    micros(r, UapiStruct.RESULT_RENDER, "vertex_ts_start", "fragment_ts_end"), image, width, height);
        }
    }

    /** A scene ready to render: the command (target cleared to {@link #clearColor}) and its colour target. */
    public record Scene(AsahiDevice.Render render, GpuSession.Buffer color, int width, int height, int clearColor) {
        /** The colour target's bytes now (RGBA8, row-major). */
        public byte[] image(Client client) throws DrmException {
            byte[] image = new byte[4 * width * height];
            client.memory().copyIn(color.cpu(), MemorySegment.ofArray(image), 0, image.length);
            return image;
        }

        /** Pixels of {@code image} not of the clear colour. */
        public long covered(byte[] image) {
            MemorySegment px = MemorySegment.ofArray(image);
            long covered = 0;
            for (int i = 0; i < width * height; i++) {
                if (px.get(ValueLayout.JAVA_INT_UNALIGNED, 4L * i) != clearColor) {
                    covered++;
                }
            }
            return covered;
        }
    }

    /**
     * Prepares {@code triangles} small random triangles (seeded: the same scene every time) with a
     * colour and depth target of {@code width} x {@code height} in {@code s}'s VM.
     */
    public static Scene scene(GpuSession s, int width, int height, int triangles) throws DrmException {
        GpuSession.Buffer vertices = s.buffer((long) triangles * 3 * RenderFormats.VERTEX_BYTES);
        Random random = new Random(7);
        float[] v = new float[triangles * 3 * 8];
        for (int t = 0; t < triangles; t++) {
            // small triangles around random centres, at random depths: they overlap, and leave gaps
            float cx = random.nextFloat() * 2 - 1;
            float cy = random.nextFloat() * 2 - 1;
            for (int k = 0; k < 3; k++) {
                float[] f = {cx + random.nextFloat() * 0.3f - 0.15f, cy + random.nextFloat() * 0.3f - 0.15f,
                        random.nextFloat(), 1, random.nextFloat(), random.nextFloat(), random.nextFloat(), 1};
                System.arraycopy(f, 0, v, (t * 3 + k) * 8, 8);
            }
        }
        s.client().memory().copyOut(MemorySegment.ofArray(v), 0, vertices.cpu(), 4L * v.length);
        GpuSession.Buffer draws = s.buffer(2L * ControlStreams.VERTEX_DRAW_BYTES);
        s.client().memory().writeLong(draws.cpu() + ControlStreams.DRAW_VERTICES, vertices.va());
        s.client().memory().writeInt(draws.cpu() + ControlStreams.DRAW_TRIANGLES, triangles);
        GpuSession.Buffer color = s.buffer(4L * width * height);
        GpuSession.Buffer depth = s.buffer(4L * width * height);
        int clear = 0xff402010;
        return new Scene(AsahiDevice.Render.of(draws.va(), width, height, color.va(), clear, depth.va()), color, width, height,
                clear);
    }
}
