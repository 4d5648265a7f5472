package kiln.agx.silicon;

import java.lang.foreign.ValueLayout;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;

import kiln.agx.api.silicon.Attachment;
import kiln.agx.api.silicon.DispatchResult;
import kiln.agx.api.silicon.FragmentJob;
import kiln.agx.api.silicon.RenderFormats;
import kiln.agx.api.silicon.TilerJob;
import kiln.agx.api.silicon.TilerResult;
import kiln.agx.silicon.ComputeHarness.Buffer;

/**
 * Triangles in clip space with colours, rendered on the silicon the way the firmware drives
 * the units (tile, then render; on heap overflow render what is binned with the attachments
 * stored, reset the heap and resume with them loaded), and by an independent per-pixel
 * reference rasteriser.
 */
final class Scene {
    /** One vertex: clip-space position and RGBA colour. */
    record Vertex(float x, float y, float z, float w, float r, float g, float b, float a) {
        static Vertex at(float x, float y, float z, int rgba) {
            return new Vertex(x, y, z, 1, (rgba & 0xff) / 255f, (rgba >>> 8 & 0xff) / 255f, (rgba >>> 16 & 0xff) / 255f,
                    (rgba >>> 24 & 0xff) / 255f);
        }
    }

    /** A rendered image. */
    record Image(int width, int height, int[] color, float[] depth, int passes) {
        String digest() throws Exception {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            for (int c : color) {
                sha.update(new byte[] {(byte) c, (byte) (c >>> 8), (byte) (c >>> 16), (byte) (c >>> 24)});
            }
            return HexFormat.of().formatHex(sha.digest()).substring(0, 16);
        }
    }

    final List<Vertex> vertices = new ArrayList<>();

    Scene triangle(Vertex a, Vertex b, Vertex c) {
        vertices.add(a);
        vertices.add(b);
        vertices.add(c);
        return this;
    }

    /** A flat triangle in pixel coordinates of a width x height target, at depth z. */
    Scene pixels(int width, int height, double x0, double y0, double x1, double y1, double x2, double y2, float z,
            int rgba) {
        return triangle(Vertex.at(ndcX(x0, width), ndcY(y0, height), z, rgba),
                Vertex.at(ndcX(x1, width), ndcY(y1, height), z, rgba), Vertex.at(ndcX(x2, width), ndcY(y2, height), z, rgba));
    }

    static float ndcX(double x, int width) {
        return (float) (x / width * 2 - 1);
    }

    static float ndcY(double y, int height) {
        return (float) (1 - y / height * 2);
    }

    int triangles() {
        return vertices.size() / 3;
    }

    /** Renders on the silicon with a heap of {@code heapBytes}. */
    Image render(ComputeHarness gpu, int width, int height, long heapBytes, int clear) throws Exception {
        return render(gpu, width, height, heapBytes, clear, Attachment.Layout.LINEAR);
    }

    /** Renders with attachments in {@code layout}; the image comes back linear either way. */
    Image render(ComputeHarness gpu, int width, int height, long heapBytes, int clear, Attachment.Layout layout)
            throws Exception {
        return render(gpu, width, height, heapBytes, clear, layout, 0, new long[0]);
    }

    /** Renders with a vertex program and its uniforms (fixed-function fragments, black clear). */
    Image renderWithVertexProgram(ComputeHarness gpu, int width, int height, long program, long[] uniforms)
            throws Exception {
        vertexProgram = program;
        vertexUniforms = uniforms;
        try {
            return render(gpu, width, height, 1 << 20, 0xff000000);
        } finally {
            vertexProgram = 0;
            vertexUniforms = new long[0];
        }
    }

    private long vertexProgram;
    private long[] vertexUniforms = new long[0];

    /** Renders with a fragment program (0 for fixed function) and its uniforms. */
    Image render(ComputeHarness gpu, int width, int height, long heapBytes, int clear, Attachment.Layout layout,
            long program, long[] uniforms) throws Exception {
        long vertexUniformVa = 0;
        if (vertexUniforms.length > 0) {
            Buffer u = gpu.buffer(8L * vertexUniforms.length);
            for (int i = 0; i < vertexUniforms.length; i++) {
                u.memory().setAtIndex(ValueLayout.JAVA_LONG, i, vertexUniforms[i]);
            }
            vertexUniformVa = u.va();
        }
        long uniformVa = 0;
        if (uniforms.length > 0) {
            Buffer u = gpu.buffer(8L * uniforms.length);
            for (int i = 0; i < uniforms.length; i++) {
                u.memory().setAtIndex(ValueLayout.JAVA_LONG, i, uniforms[i]);
            }
            uniformVa = u.va();
        }
        Buffer vb = gpu.buffer((long) vertices.size() * RenderFormats.VERTEX_BYTES);
        for (int i = 0; i < vertices.size(); i++) {
            Vertex v = vertices.get(i);
            float[] f = {v.x(), v.y(), v.z(), v.w(), v.r(), v.g(), v.b(), v.a()};
            for (int k = 0; k < 8; k++) {
                vb.memory().setAtIndex(ValueLayout.JAVA_FLOAT, 8L * i + k, f[k]);
            }
        }
        Buffer tileMap = gpu.buffer(RenderFormats.tileMapBytes(width, height));
        Buffer heap = gpu.buffer(heapBytes);
        boolean tiledLayout = layout == Attachment.Layout.TILED;
        long bytes = tiledLayout ? Attachment.tiledBytes(width, height) : 4L * width * height;
        Buffer color = gpu.buffer(bytes);
        Buffer depth = gpu.buffer(bytes);
        int next = 0;
        int passes = 0;
        do {
            TilerResult tiled = gpu.machine.silicon.tiler().bin(new TilerJob(ComputeHarness.SLOT, vb.va(), 0, next,
                    triangles(), width, height, tileMap.va(), heap.va(), heapBytes, true)
                    .withVertexProgram(vertexProgram, vertexUniformVa, vertexUniforms.length)).get(60, TimeUnit.SECONDS);
            if (tiled.result().status() != DispatchResult.Status.COMPLETED) {
                throw new IllegalStateException("tiler: " + tiled.result());
            }
            if (tiled.heapOverflow() && tiled.nextTriangle() == next) {
                throw new IllegalStateException("heap too small for one triangle");
            }
            boolean first = passes == 0;
            FragmentJob job = new FragmentJob(ComputeHarness.SLOT, width, height, tileMap.va(), heap.va(),
                    (first ? Attachment.cleared(color.va(), 4 * width, clear) : Attachment.loaded(color.va(), 4 * width))
                            .withLayout(layout),
                    (first ? Attachment.cleared(depth.va(), 4 * width, Float.floatToRawIntBits(1f))
                            : Attachment.loaded(depth.va(), 4 * width)).withLayout(layout))
                    .withProgram(program, uniformVa, uniforms.length);
            DispatchResult frag = gpu.machine.silicon.fragment().render(job).get(60, TimeUnit.SECONDS);
            if (frag.status() != DispatchResult.Status.COMPLETED) {
                throw new IllegalStateException("fragment: " + frag);
            }
            passes++;
            next = tiled.nextTriangle();
        } while (next < triangles());
        int[] c = new int[width * height];
        float[] d = new float[width * height];
        int tilesX = RenderFormats.tiles(width);
        int t = RenderFormats.TILE_PIXELS;
        for (int i = 0; i < c.length; i++) {
            int x = i % width;
            int y = i / width;
            long at = tiledLayout ? ((long) (y / t * tilesX + x / t) * t * t + (y % t) * t + x % t) : i;
            c[i] = color.getInt(at);
            d[i] = depth.getFloat(at);
        }
        return new Image(width, height, c, d, passes);
    }

    /**
     * The reference: for every pixel and every triangle in order, the edge functions at the
     * pixel centre on the same snapped positions, the top-left rule, barycentric depth and
     * colour, the depth test. Written per pixel, without spans or planes.
     */
    Image reference(int width, int height, int clear) {
        int[] color = new int[width * height];
        float[] depth = new float[width * height];
        java.util.Arrays.fill(color, clear);
        java.util.Arrays.fill(depth, 1f);
        for (int t = 0; t < triangles(); t++) {
            long[] x = new long[3];
            long[] y = new long[3];
            double[] z = new double[3];
            int[] col = new int[3];
            boolean drop = false;
            for (int i = 0; i < 3; i++) {
                Vertex v = vertices.get(3 * t + i);
                if (!(v.w() > 0)) {
                    drop = true;
                    break;
                }
                x[i] = Math.round((v.x() / v.w() + 1.0) * 0.5 * width * 256);
                y[i] = Math.round((1.0 - v.y() / v.w()) * 0.5 * height * 256);
                z[i] = v.z() / v.w() * 0.5f + 0.5f;
                col[i] = unorm(v.r()) | unorm(v.g()) << 8 | unorm(v.b()) << 16 | unorm(v.a()) << 24;
            }
            if (drop) {
                continue;
            }
            long area = edge(x[0], y[0], x[1], y[1], x[2], y[2]);
            if (area == 0) {
                continue;
            }
            int[] order = area > 0 ? new int[] {0, 1, 2} : new int[] {0, 2, 1};
            area = Math.abs(area);
            for (int py = 0; py < height; py++) {
                for (int px = 0; px < width; px++) {
                    long cx = px * 256L + 128;
                    long cy = py * 256L + 128;
                    long[] e = new long[3];
                    boolean inside = true;
                    for (int k = 0; k < 3; k++) {
                        int a = order[k];
                        int b = order[(k + 1) % 3];
                        e[k] = edge(x[a], y[a], x[b], y[b], cx, cy);
                        long dx = x[b] - x[a];
                        long dy = y[b] - y[a];
                        boolean topLeft = dy < 0 || (dy == 0 && dx > 0);
                        inside &= e[k] > 0 || (e[k] == 0 && topLeft);
                    }
                    if (!inside) {
                        continue;
                    }
                    // weights: vertex order[0] by the edge opposite it (k = 1), and so on
                    double w0 = e[1] / (double) area;
                    double w1 = e[2] / (double) area;
                    double w2 = e[0] / (double) area;
                    float zz = (float) (z[order[0]] * w0 + z[order[1]] * w1 + z[order[2]] * w2);
                    int i = py * width + px;
                    if (!(zz < depth[i] && zz >= 0 && zz <= 1)) {
                        continue;
                    }
                    depth[i] = zz;
                    int packed = 0;
                    for (int ch = 0; ch < 4; ch++) {
                        double v = (col[order[0]] >>> 8 * ch & 0xff) * w0 + (col[order[1]] >>> 8 * ch & 0xff) * w1
                                + (col[order[2]] >>> 8 * ch & 0xff) * w2;
                        packed |= (int) Math.max(0, Math.min(255, Math.round(v))) << 8 * ch;
                    }
                    color[i] = packed;
                }
            }
        }
        return new Image(width, height, color, depth, 1);
    }

    /** E = dx * (py - ya) - dy * (px - xa) for the edge a -> b, at p. */
    static long edge(long xa, long ya, long xb, long yb, long px, long py) {
        return (xb - xa) * (py - ya) - (yb - ya) * (px - xa);
    }

    static int unorm(float v) {
        return !(v > 0) ? 0 : v >= 1 ? 255 : Math.round(v * 255);
    }
}
