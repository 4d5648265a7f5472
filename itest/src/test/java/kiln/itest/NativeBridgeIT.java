package kiln.itest;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.Assume;
import org.junit.Before;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.osgi.framework.Bundle;

import kiln.drm.api.device.DrmDevice;
import kiln.drm.api.device.DrmDeviceFactory;

/**
 * Unmodified native programs, linked against the machine's real libdrm, use Kiln's devices
 * through {@code bin/kiln-exec}: discovery, versions and syncobjs with the kernel's answers; a
 * process killed in the middle of a wait, or exiting, leaves nothing behind in Kiln; the runtime
 * going away ends a native wait at once.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class NativeBridgeIT extends KilnTestBase {
    private static final Duration LIMIT = Duration.ofSeconds(60);
    private static final Path ROOT = Path.of(System.getProperty("kiln.root", "..")).toAbsolutePath().normalize();
    private static final Path PROGRAMS = ROOT.resolve("drm.bridge/target/native/tests");

    @Before
    public void programsBuilt() throws Exception {
        Path skipped = PROGRAMS.resolve("SKIPPED");
        if (Files.exists(skipped)) {
            String why = Files.readString(skipped).trim();
            System.err.println("********** NativeBridgeIT did not run: " + why + " **********");
            Assume.assumeTrue(why, false);
        }
        assertTrue("the native test programs are built by drm.bridge: " + PROGRAMS, Files.isDirectory(PROGRAMS));
        device("t8103");
        device("t8112");
    }

    /** A native program under bin/kiln-exec, its output lines queued. */
    private static final class Program implements AutoCloseable {
        final Process process;
        final LinkedBlockingQueue<String> lines = new LinkedBlockingQueue<>();
        final StringBuilder transcript = new StringBuilder();
        private final Thread reader;

        Program(String name, String... args) throws Exception {
            this(PROGRAMS.resolve(name), args);
        }

        Program(Path program, String... args) throws Exception {
            List<String> command = new java.util.ArrayList<>(List.of(ROOT.resolve("bin/kiln-exec").toString(),
                    program.toString()));
            command.addAll(List.of(args));
            ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
            pb.environment().put("KILN_SOCKET", KilnOptions.SOCKET.toString());
            process = pb.start();
            reader = Thread.ofPlatform().daemon(true).start(() -> {
                try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                    for (String line; (line = r.readLine()) != null; ) {
                        synchronized (transcript) {
                            transcript.append(line).append('\n');
                        }
                        lines.add(line);
                    }
                } catch (java.io.IOException e) {
                    // the program is gone
                }
            });
        }

        String expect(String prefix) throws InterruptedException {
            long deadline = System.nanoTime() + LIMIT.toNanos();
            for (;;) {
                String line = lines.poll(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
                if (line == null) {
                    throw new AssertionError("no line starting '" + prefix + "' from the program:\n" + transcript());
                }
                if (line.startsWith(prefix)) {
                    return line;
                }
            }
        }

        /** Its exit status, once it ended and all it printed was read. */
        int exit() throws InterruptedException {
            assertTrue("the program did not end:\n" + transcript(), process.waitFor(LIMIT.toSeconds(), TimeUnit.SECONDS));
            reader.join(LIMIT.toMillis()); // the output pipe may still hold its last lines
            return process.exitValue();
        }

        String transcript() {
            synchronized (transcript) {
                return transcript.toString();
            }
        }

        @Override
        public void close() {
            process.destroyForcibly();
        }
    }

    /** Runs a test program under bin/kiln-exec to its end; it must exit 0. Returns what it printed. */
    private static String passes(Path program, String... args) throws Exception {
        try (Program p = new Program(program, args)) {
            int status = p.exit();
            assertEquals(program.getFileName() + " failed:\n" + p.transcript(), 0, status);
            return p.transcript();
        }
    }

    private static String passes(String name, String... args) throws Exception {
        return passes(PROGRAMS.resolve(name), args);
    }

    private Map<String, Long> bridge() throws Exception {
        String json = Shell.run(context, "drm:bridge --json");
        Map<String, Long> values = new java.util.HashMap<>();
        Matcher m = Pattern.compile("\"(\\w+)\": (\\d+)").matcher(json);
        while (m.find()) {
            values.put(m.group(1), Long.parseLong(m.group(2)));
        }
        return values;
    }

    private int openFiles() throws Exception {
        int files = 0;
        for (DrmDevice d : service(DrmDeviceFactory.class).devices()) {
            files += d.files().size();
        }
        return files;
    }

    private DrmDevice device(String name) throws Exception {
        return context.getService(asahiDevice(name));
    }

    /** Nothing native is connected and no file they opened is left open. */
    private void awaitReleased(int filesBefore) throws Exception {
        Await.until(LIMIT, () -> {
            Map<String, Long> b = bridge();
            boolean released = b.get("native_processes") == 0 && b.get("control_connections") == 0
                    && b.get("open_files") == 0 && openFiles() == filesBefore;
            return released ? "" : Shell.run(context, "drm:bridge") + Shell.run(context, "drm:clients") + "DRM files open: "
                    + openFiles() + ", before: " + filesBefore;
        }, String::isEmpty, "every native file released");
    }

    private void awaitSessions(long n) throws Exception {
        Await.until(LIMIT, () -> bridge().get("control_connections"), v -> v == n, n + " control connections");
    }

    @Test
    public void libdrmFindsKilnsDevicesAndItsSyncobjsAnswerAsTheKernels() throws Exception {
        int before = openFiles();
        String out = passes("drm-basics");
        assertTrue(out, out.contains("apple,agx-t8103") && out.contains("apple,agx-t8112"));
        awaitReleased(before);
        assertTrue(bridge().get("ioctls") > 20);
    }

    /** Exported syncobjs and sync files are descriptors of the program's own, inherited by a forked child. */
    @Test
    public void syncobjFilesAreTheProgramsDescriptorsAcrossFork() throws Exception {
        int before = openFiles();
        assertTrue("drm-share reported failures",
                passes("drm-share", "/dev/dri/" + device("t8112").renderNode()).contains("PASSED: 0 failed"));
        awaitReleased(before);
    }

    /** sw_sync and sync files: fences signalled by another thread wake poll and a syncobj wait; merge, info. */
    @Test
    public void swSyncTimelinesAndSyncFilesWorkWithThreadsAndPoll() throws Exception {
        int before = openFiles();
        assertTrue("sync-files reported failures",
                passes("sync-files", "/dev/dri/" + device("t8103").renderNode()).contains("PASSED: 0 failed"));
        awaitReleased(before);
    }

    /** A GEM object mapped in C shares its bytes with Kiln both ways; munmap and close let it go. */
    @Test
    public void aGemObjectMappedInCSharesItsBytesWithKiln() throws Exception {
        int before = openFiles();
        DrmDevice device = device("t8103");
        kiln.drm.api.gem.ShmemObject object;
        try (Program p = new Program("gem-mmap", "/dev/dri/" + device.renderNode())) {
            String[] mapped = p.expect("mapped").split(" ");
            int handle = Integer.parseInt(mapped[1]);
            int size = Integer.parseInt(mapped[2]);
            kiln.drm.api.file.DrmFile file = device.files().stream()
                    .filter(f -> f.client().nativeProcess().map(n -> n.pid() == p.process.pid()).orElse(false))
                    .findFirst().orElseThrow(() -> new AssertionError("no file of the native process"));
            object = service(kiln.drm.api.gem.GemManager.class).lookupShmem(file, handle);
            try (kiln.drm.api.gem.ShmemMapping m = object.vmap()) {
                java.lang.foreign.MemorySegment bytes = m.memory();
                for (int i = 0; i < size; i++) {
                    assertEquals("byte " + i + " written in C", (byte) (i * 7 + 3), bytes.get(java.lang.foreign.ValueLayout.JAVA_BYTE, i));
                    bytes.set(java.lang.foreign.ValueLayout.JAVA_BYTE, i, (byte) (255 - (i * 7) % 256));
                }
            } finally {
                object.put(); // the lookup's reference
            }
            p.process.getOutputStream().write("check\n".getBytes(StandardCharsets.US_ASCII));
            p.process.getOutputStream().flush();
            int status = p.exit();
            assertEquals("gem-mmap failed:\n" + p.transcript(), 0, status);
        }
        awaitReleased(before);
        Await.until(LIMIT, object::isFreed, freed -> freed, "the object freed after munmap, GEM_CLOSE and exit");
    }

    /** A program of the host that the test needs, or a loud skip when the machine lacks it. */
    private static Path hostProgram(String path, String debianPackage) {
        Path program = Path.of(path);
        if (!Files.isExecutable(program)) {
            String why = path + " is missing (Debian package " + debianPackage + "; .ci/run installs it)";
            System.err.println("********** NativeBridgeIT test did not run: " + why + " **********");
            Assume.assumeTrue(why, false);
        }
        return program;
    }

    /** libdrm's own drmdevice test lists both GPUs as platform devices, through every node. */
    @Test
    public void libdrmsDrmdeviceListsKilnsDevices() throws Exception {
        String out = passes(hostProgram("/usr/bin/drmdevice", "libdrm-tests"));
        assertTrue(out, out.contains("--- Devices reported 2 ---"));
        for (String chip : List.of("t8103", "t8112")) {
            DrmDevice d = device(chip);
            assertTrue(out, out.contains("/dev/dri/" + d.primaryNode()) && out.contains("/dev/dri/" + d.renderNode()));
            assertTrue(out, out.contains("fullname\t/soc/gpu@" + d.unique().replace(".gpu", "")));
            assertTrue(out, out.contains("apple,agx-" + chip));
        }
        assertTrue(out, out.contains("bustype 0002")); // DRM_BUS_PLATFORM
    }

    /**
     * drm_info reads a device's KMS state, which a render-only GPU does not have: it answers as it
     * does on the real kernel for one (EOPNOTSUPP on the card node, EACCES on the render node).
     */
    @Test
    public void drmInfoMeetsARenderOnlyGpuAsOnTheKernel() throws Exception {
        DrmDevice d = device("t8103");
        try (Program p = new Program(hostProgram("/usr/bin/drm_info", "drm-info"), "/dev/dri/" + d.primaryNode(),
                "/dev/dri/" + d.renderNode())) {
            p.exit();
            String out = p.transcript();
            assertTrue(out, out.contains("drmModeGetResources: Operation not supported"));
            assertTrue(out, out.contains("drmModeGetResources: Permission denied"));
        }
    }

    /**
     * SAXPY submitted from C through the asahi UAPI alone (buffers made, bound and mapped in C, the
     * program's code from Kiln's assembler as a driver gets it from its compiler) runs on the GPU
     * and every element is right when C checks it.
     */
    @Test
    public void saxpyFromCThroughTheAsahiUapi() throws Exception {
        int before = openFiles();
        Path code = Files.createTempFile("saxpy", ".bin");
        try {
            var program = kiln.agx.client.ksa.Assembler.toBytes(
                    kiln.agx.client.ksa.Assembler.assemble(kiln.agx.client.demo.Workloads.SAXPY_PROGRAM));
            Files.write(code, program.toArray(java.lang.foreign.ValueLayout.JAVA_BYTE));
            for (String chip : List.of("t8103", "t8112")) {
                String out = passes("saxpy", "/dev/dri/" + device(chip).renderNode(), code.toString());
                assertTrue(chip + ": " + out, out.contains("PASSED"));
            }
        } finally {
            Files.deleteIfExists(code);
        }
        awaitReleased(before);
    }

    /** SYNCOBJ_EVENTFD signals the program's own eventfd (passed to Kiln with SCM_RIGHTS). */
    @Test
    public void syncobjEventfdSignalsTheProgramsEventfd() throws Exception {
        int before = openFiles();
        assertTrue("eventfd reported failures",
                passes("eventfd", "/dev/dri/" + device("t8112").renderNode()).contains("PASSED: 0 failed"));
        awaitReleased(before);
    }

    /**
     * Where the system refuses {@code process_vm_readv} (here: switched off), the program's library
     * copies user memory for the runtime: the nested pointers of SUBMIT and the syncobj arrays go
     * through it, and everything still answers as before.
     */
    @Test
    public void withoutProcessVmTheLibraryCopiesForTheRuntime() throws Exception {
        org.osgi.service.cm.Configuration c = service(org.osgi.service.cm.ConfigurationAdmin.class)
                .getConfiguration("kiln.drm.bridge", "?");
        c.update(new java.util.Hashtable<>(Map.of("use.process.vm", false)));
        try {
            Await.until(LIMIT, this::bridgeWhileRestarting, s -> s.contains("\"process_vm\": false"),
                    "the bridge without process_vm");
            awaitTreeOfBothDevices();
            assertTrue(passes("drm-basics").contains("PASSED: 0 failed"));
            assertTrue("drm-share reported failures",
                    passes("drm-share", "/dev/dri/" + device("t8103").renderNode()).contains("PASSED: 0 failed"));
        } finally {
            c.delete();
            Await.until(LIMIT, this::bridgeWhileRestarting, s -> s.contains("\"process_vm\": true"),
                    "the bridge back to process_vm");
            awaitTreeOfBothDevices();
        }
    }

    /** A restarted bridge writes its device tree on its own thread, a moment after it listens. */
    private void awaitTreeOfBothDevices() throws Exception {
        Path dri = KilnOptions.SOCKET.getParent().resolve("root/dev/dri");
        Await.until(LIMIT, () -> Files.exists(dri.resolve(device("t8103").renderNode()))
                && Files.exists(dri.resolve(device("t8112").renderNode())), ready -> ready, "the device tree");
    }

    /** drm:bridge while a configuration change restarts the bridge (its command comes and goes with it). */
    private String bridgeWhileRestarting() {
        try {
            return Shell.run(context, "drm:bridge --json");
        } catch (Exception restarting) {
            return "";
        }
    }

    /** Garbage straight to the socket gets errors and never disturbs a well-behaved file. */
    @Test
    public void badInputFromTheSocketSideGetsErrorsAndDisturbsNoOne() throws Exception {
        int before = openFiles();
        assertTrue("hostile-socket reported failures",
                passes("hostile-socket", "/dev/dri/" + device("t8112").renderNode()).contains("PASSED: 0 failed"));
        awaitReleased(before);
    }

    /** 32 processes x 8 threads issuing ioctls at once: every call answers, everything is released. */
    @Test
    public void thirtyTwoProcessesOfEightThreadsAtOnce() throws Exception {
        int before = openFiles();
        long ioctlsBefore = bridge().get("ioctls");
        List<Program> programs = new java.util.ArrayList<>();
        try {
            for (int i = 0; i < 32; i++) {
                programs.add(new Program("hammer", "/dev/dri/" + device(i % 2 == 0 ? "t8103" : "t8112").renderNode(), "8", "20"));
            }
            for (Program p : programs) {
                int status = p.exit();
                assertEquals("hammer failed:\n" + p.transcript(), 0, status);
            }
        } finally {
            programs.forEach(Program::close);
        }
        awaitReleased(before);
        assertTrue(bridge().get("ioctls") - ioctlsBefore >= 32L * 8 * 20 * 8); // eight ioctls a round
    }

    @Test
    public void aKilledWaiterAndAnExitingProcessLeaveNothingBehind() throws Exception {
        int before = openFiles();
        String node = "/dev/dri/" + device("t8103").renderNode();
        try (Program killed = new Program("hold-and-wait", node); Program exiting = new Program("hold-and-wait", node)) {
            killed.expect("ready");
            exiting.expect("ready");
            awaitSessions(4);
            String clients = Shell.run(context, "drm:clients --json");
            for (Program p : List.of(killed, exiting)) {
                assertTrue(clients, Pattern.compile("\"kind\": \"native\", \"host_pid\": " + p.process.pid() + ", \"uid\": \\d+, "
                        + "\"command\": \"[^\"]*hold-and-wait " + node + "\"").matcher(clients).find());
            }
            assertEquals(before + 2, openFiles());

            killed.process.destroyForcibly(); // SIGKILL in the middle of its wait
            killed.exit();
            exiting.process.getOutputStream().close(); // its stdin ends: it returns from main
            int status = exiting.exit();
            assertEquals(exiting.transcript(), 0, status);
        }
        awaitReleased(before);
    }

    @Test
    public void theRuntimeGoingAwayEndsANativeWaitAtOnce() throws Exception {
        Bundle bridge = find("drm.bridge").orElseThrow();
        try (Program p = new Program("hold-and-wait", "/dev/dri/" + device("t8112").renderNode())) {
            p.expect("ready");
            awaitSessions(2);
            bridge.stop();
            try {
                assertEquals("the wait ends with ENODEV", "woke -19", p.expect("woke"));
            } finally {
                bridge.start();
            }
            p.process.getOutputStream().close();
            int status = p.exit();
            assertEquals(p.transcript(), 0, status);
        }
        Await.until(LIMIT, () -> Shell.run(context, "drm:bridge --json"), s -> s.contains("\"native_processes\": 0"),
                "the restarted bridge to have no native process");
    }
}
