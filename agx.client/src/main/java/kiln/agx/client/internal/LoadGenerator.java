package kiln.agx.client.internal;

import static kiln.agx.api.uapi.AsahiUapi.QUEUE_CAP_COMPUTE;
import static kiln.agx.api.uapi.AsahiUapi.QUEUE_CAP_RENDER;
import static kiln.agx.api.uapi.AsahiUapi.STATUS_COMPLETE;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import kiln.agx.api.uapi.UapiStruct;
import kiln.agx.client.drm.AsahiDevice;
import kiln.agx.client.demo.GpuSession;
import kiln.agx.client.demo.Workloads;
import kiln.drm.api.DrmException;
import kiln.drm.api.Errno;
import kiln.drm.api.client.Client;
import kiln.drm.api.client.ClientFactory;

/**
 * A background workload on one device, as {@code agx:load} runs it: several clients, each with two
 * compute queues and a render queue, submitting a stream of jobs in which every job waits on the
 * previous one (an in-sync on the client's timeline, so the chain crosses queues) and signals the
 * next point; every {@value #RENDER_EVERY}th job renders a small scene. Every compute job writes
 * its own output slot; before a slot is reused its job's output and result are checked; a render
 * must complete and give the same image as the client's first one.
 *
 * <p>Counters: {@code submitted} (the ioctl accepted it), {@code completed} (signalled, result
 * COMPLETE, output exact), {@code failed} (signalled with another status or a wrong output, or
 * {@code lost} (submitted and never signalled by the time the load stopped and waited for it —
 * should stay 0 whatever happens to firmware bundles underneath); {@code refused} counts
 * submissions the ioctl refused (ENODEV while a crashed device restarts its firmware, or after an
 * unplug): those are not jobs, and the client tries again a few milliseconds later.
 *
 * <p>Thread-safe: one thread per client submits and checks; counters are atomic.
 */
final class LoadGenerator {
    private static final int SLOTS = 32;
    private static final int LANES = 32;
    private static final long STRIDE = 64;
    private static final long RENDER_STRIDE = 128;
    static final int RENDER_EVERY = 8;
    private static final String SQUARE_PLUS = """
            sr r0, gid.x
            ld r1, u0, r0
            imul r1, r1, r1
            iadd r1, r1, #7
            st r1, u1, r0
            stop
            """;

    final String device;
    final AtomicLong submitted = new AtomicLong();
    final AtomicLong completed = new AtomicLong();
    final AtomicLong failed = new AtomicLong();
    final AtomicLong lost = new AtomicLong();
    final AtomicLong refused = new AtomicLong();
    final AtomicLong checks = new AtomicLong();
    private final List<Thread> threads = new ArrayList<>();
    /** The first failures, described (for status). */
    final List<String> failures = java.util.Collections.synchronizedList(new ArrayList<>());
    private volatile boolean stopping;
    private volatile String error = "";

    LoadGenerator(String device) {
        this.device = device;
    }

    /** Starts {@code clients} clients on {@code node}. */
    void start(ClientFactory factory, String node, int clients) {
        for (int c = 0; c < clients; c++) {
            Client client = factory.spawn("agx:load " + device + " #" + c, false);
            threads.add(Thread.ofPlatform().name("agx-load-" + device + "-" + c).daemon().start(() -> {
                try {
                    run(client, node);
                } catch (DrmException | RuntimeException e) {
                    error = e.toString();
                } finally {
                    client.exit();
                }
            }));
        }
    }

    boolean running() {
        return threads.stream().anyMatch(Thread::isAlive);
    }

    String error() {
        return error;
    }

    /** Stops submitting and waits (up to {@code seconds}) for the clients to check what they submitted. */
    void stop(int seconds) throws InterruptedException {
        stopping = true;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        for (Thread t : threads) {
            t.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())));
        }
    }

    private void run(Client client, String node) throws DrmException {
        GpuSession s = new GpuSession(client, node, QUEUE_CAP_COMPUTE);
        AsahiDevice dev = s.device();
        int[] queues = {s.queue(), dev.queueCreate(s.vm(), QUEUE_CAP_COMPUTE, 2)};
        int renderQueue = dev.queueCreate(s.vm(), QUEUE_CAP_RENDER, 1);
        Workloads.Scene scene = Workloads.scene(s, 64, 64, 24);
        GpuSession.Buffer renderResults = s.buffer(RENDER_STRIDE * SLOTS);
        // a target per render in flight: a render that fails half-way must not spoil an earlier one's check
        List<Workloads.Scene> targets = new ArrayList<>();
        for (int t = 0; t < SLOTS / RENDER_EVERY; t++) {
            GpuSession.Buffer color = s.buffer(4L * scene.width() * scene.height());
            GpuSession.Buffer depth = s.buffer(4L * scene.width() * scene.height());
            targets.add(new Workloads.Scene(AsahiDevice.Render.of(scene.render().encoder(), scene.width(), scene.height(),
                    color.va(), scene.clearColor(), depth.va()), color, scene.width(), scene.height(), scene.clearColor()));
        }
        GpuSession.Buffer in = s.buffer(4L * LANES);
        for (int i = 0; i < LANES; i++) {
            client.memory().writeInt(in.cpu() + 4L * i, i);
        }
        GpuSession.Buffer out = s.buffer(4L * LANES * SLOTS);
        GpuSession.Buffer results = s.buffer(STRIDE * SLOTS);
        long program = s.program(SQUARE_PLUS);
        List<AsahiDevice.Compute> launches = new ArrayList<>();
        for (int k = 0; k < SLOTS; k++) {
            launches.add(s.launch(program, 1, LANES, in.va(), out.va() + 4L * LANES * k).withResult(STRIDE * k));
        }
        Checker checker = new Checker(client, dev, dev.syncobjCreate(0), out, results, renderResults, targets);
        int timeline = checker.timeline;
        long n = 0; // jobs submitted by this client; job j signals point j + 1
        long checked = 0; // jobs of this client already checked
        try {
            while (!stopping) {
                if (n - checked == SLOTS) {
                    checker.check(checked, 10);
                    checked++; // not before: a check that throws has counted nothing
                }
                int slot = (int) (n % SLOTS);
                boolean render = n % RENDER_EVERY == RENDER_EVERY - 1;
                client.memory().writeInt(results.cpu() + STRIDE * slot, 0);
                client.memory().writeInt(renderResults.cpu() + RENDER_STRIDE * slot, 0);
                client.memory().writeInt(out.cpu() + 4L * LANES * slot + 4 * 5, 0);
                List<AsahiDevice.Sync> in2 = n == 0 ? List.of() : List.of(AsahiDevice.Sync.timeline(timeline, n));
                try {
                    if (render) {
                        dev.submit(renderQueue, in2, List.of(AsahiDevice.Sync.timeline(timeline, n + 1)),
                                List.of(targets.get(target(n)).render().withResult(RENDER_STRIDE * slot)),
                                renderResults.handle());
                    } else {
                        dev.submit(queues[(int) (n % 2)], in2, List.of(AsahiDevice.Sync.timeline(timeline, n + 1)),
                                List.of(launches.get(slot)), results.handle());
                    }
                } catch (DrmException e) {
                    refused.incrementAndGet();
                    if (e.errno() == Errno.ENODEV) {
                        sleep(5); // a crashed device restarting, or an unplugged one: try again shortly
                    }
                    continue;
                }
                submitted.incrementAndGet();
                n++;
            }
            while (checked < n) {
                checker.check(checked, 10);
                checked++;
            }
        } catch (DrmException e) {
            // unplugged while waiting: what was outstanding failed with the device (ENODEV)
            failed.addAndGet(n - checked);
        }
    }

    private static void sleep(int ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** The render target of job {@code n} (a render): reused only after that job was checked. */
    private static int target(long n) {
        return (int) ((n / RENDER_EVERY) % (SLOTS / RENDER_EVERY));
    }

    /** Checks one client's jobs, in order, as their timeline points signal. */
    private final class Checker {
        final Client client;
        final AsahiDevice dev;
        final int timeline;
        final GpuSession.Buffer out;
        final GpuSession.Buffer results;
        final GpuSession.Buffer renderResults;
        final List<Workloads.Scene> targets;
        private byte[] firstImage;

        Checker(Client client, AsahiDevice dev, int timeline, GpuSession.Buffer out, GpuSession.Buffer results,
                GpuSession.Buffer renderResults, List<Workloads.Scene> targets) {
            this.client = client;
            this.dev = dev;
            this.timeline = timeline;
            this.out = out;
            this.results = results;
            this.renderResults = renderResults;
            this.targets = targets;
        }

        /** Waits for job {@code j}'s point and checks its result and output. */
        void check(long j, int seconds) throws DrmException {
            try {
                dev.syncobjTimelineWait(timeline, j + 1, System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds), 0);
            } catch (DrmException e) {
                if (e.errno() == Errno.ETIME) {
                    lost.incrementAndGet();
                    return;
                }
                throw e;
            }
            int slot = (int) (j % SLOTS);
            boolean ok;
            if (j % RENDER_EVERY == RENDER_EVERY - 1) {
                int status = client.memory().readInt(renderResults.cpu() + RENDER_STRIDE * slot
                        + UapiStruct.RESULT_RENDER.offset("info", "status"));
                Workloads.Scene scene = targets.get(target(j));
                byte[] image = scene.image(client);
                if (status == STATUS_COMPLETE && firstImage == null) {
                    firstImage = image;
                }
                long covered = scene.covered(image);
                ok = status == STATUS_COMPLETE && java.util.Arrays.equals(image, firstImage) && covered > 0
                        && covered < (long) scene.width() * scene.height();
                if (!ok && failures.size() < 8) {
                    failures.add("render job " + j + ": status " + status + ", " + covered + " px covered, "
                            + (java.util.Arrays.equals(image, firstImage) ? "same" : "another") + " image");
                }
            } else {
                int status = client.memory().readInt(results.cpu() + STRIDE * slot
                        + UapiStruct.RESULT_COMPUTE.offset("info", "status"));
                int value = client.memory().readInt(out.cpu() + 4L * LANES * slot + 4 * 5);
                ok = status == STATUS_COMPLETE && value == 5 * 5 + 7;
                if (!ok && failures.size() < 8) {
                    failures.add("compute job " + j + ": status " + status + ", out[5] = " + value);
                }
            }
            checks.incrementAndGet();
            (ok ? completed : failed).incrementAndGet();
        }
    }
}
