package kiln.itest;

import static org.ops4j.pax.exam.CoreOptions.options;

import java.util.Arrays;
import java.util.Optional;

import javax.inject.Inject;

import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;

/** What every Kiln Pax Exam test shares: the runtime configuration and the framework's context. */
public abstract class KilnTestBase {
    @Inject
    protected BundleContext context;

    @Configuration
    public Option[] config() {
        return options(KilnOptions.runtime());
    }

    /** The installed bundle with this symbolic name, if any. */
    protected Optional<Bundle> find(String bsn) {
        return Arrays.stream(context.getBundles()).filter(b -> bsn.equals(b.getSymbolicName())).findFirst();
    }

    /** A service of {@code type}; fails the test if there is none. */
    protected <T> T service(Class<T> type) {
        org.osgi.framework.ServiceReference<T> ref = context.getServiceReference(type);
        if (ref == null) {
            throw new AssertionError("no " + type.getSimpleName() + " service");
        }
        return context.getService(ref);
    }

    /**
     * The asahi DRM device {@code name} once it is registered (probing takes a moment after
     * start-up); the failure says what {@code agx:devices} shows.
     */
    protected org.osgi.framework.ServiceReference<kiln.drm.api.device.DrmDevice> asahiDevice(String name) throws Exception {
        long deadline = System.nanoTime() + java.time.Duration.ofSeconds(20).toNanos();
        while (true) {
            var refs = context.getServiceReferences(kiln.drm.api.device.DrmDevice.class,
                    "(&(drm.driver=asahi)(agx.device.name=" + name + "))");
            if (!refs.isEmpty()) {
                return refs.iterator().next();
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("asahi device " + name + " not registered in 20 s:\n" + Shell.run(context, "agx:devices"));
            }
            Thread.sleep(20);
        }
    }

    /** The installed bundle with this symbolic name; fails the test if there is none. */
    protected Bundle bundle(String bsn) {
        return find(bsn).orElseThrow(() -> new AssertionError("no bundle " + bsn));
    }

    /**
     * What each running device holds that must come back once its clients are gone (from
     * {@code agx:resources --json}): device name -> live kernel bytes and objects, event slots, VM
     * slots. Mapped kernel bytes and physical use are left out: the kernel heap only grows.
     */
    protected java.util.Map<String, String> deviceResources() throws Exception {
        java.util.Map<String, String> out = new java.util.TreeMap<>();
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("\\{\"device\": \"([^\"]+)\", \"kernel_mapped_bytes\": \\d+, "
                + "(\"kernel_live_bytes\": \\d+, \"kernel_live_objects\": \\d+, \"event_slots\": \\d+, \"vm_slots\": \\d+)")
                .matcher(Shell.run(context, "agx:resources --json"));
        while (m.find()) {
            out.put(m.group(1), m.group(2));
        }
        return out;
    }

    /**
     * Kiln's threads now, platform and virtual alike (from the JVM's thread dump, which lists
     * virtual threads too): thread name with its numbers folded to {@code #} -> how many. The
     * silicon's host-worker pools are left out: they start their fixed number of threads lazily
     * and keep them for the device's life. A baseline: the same twice in a row, 200 ms apart (a
     * device torn down just before may still be ending its threads).
     */
    protected java.util.Map<String, Integer> kilnThreads() throws Exception {
        java.util.Map<String, Integer> last = threadDump();
        for (int i = 0; i < 50; i++) {
            Thread.sleep(200);
            java.util.Map<String, Integer> now = threadDump();
            if (now.equals(last)) {
                return now;
            }
            last = now;
        }
        throw new AssertionError("Kiln's threads never settled: " + last);
    }

    private java.util.Map<String, Integer> threadDump() throws Exception {
        java.nio.file.Path dump = java.nio.file.Files.createTempFile("kiln-threads", ".json");
        java.nio.file.Files.delete(dump);
        try {
            java.lang.management.ManagementFactory.getPlatformMBeanServer().invoke(
                    new javax.management.ObjectName("com.sun.management:type=HotSpotDiagnostic"), "dumpThreads",
                    new Object[] {dump.toString(), "JSON"}, new String[] {String.class.getName(), String.class.getName()});
            java.util.Map<String, Integer> out = new java.util.TreeMap<>();
            java.util.regex.Matcher m = java.util.regex.Pattern.compile("\"name\": \"((?:agx|drm)-[^\"]*)\"")
                    .matcher(java.nio.file.Files.readString(dump));
            while (m.find()) {
                if (!m.group(1).contains("-worker-")) {
                    out.merge(m.group(1).replaceAll("[0-9]+", "#"), 1, Integer::sum);
                }
            }
            return out;
        } finally {
            java.nio.file.Files.deleteIfExists(dump);
        }
    }

    /** Waits until Kiln's threads are those of {@code before} again (nothing leaked, nothing stuck). */
    protected void awaitThreadsBackTo(java.util.Map<String, Integer> before) throws Exception {
        Await.until(java.time.Duration.ofSeconds(20), this::threadDump, before::equals, "Kiln's threads back to " + before);
    }

    /** A number in an {@code agx:load --json} row. */
    protected static long field(String json, String name) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("\"" + name + "\": (\\d+)").matcher(json);
        if (!m.find()) {
            throw new AssertionError(name + " not in " + json);
        }
        return Long.parseLong(m.group(1));
    }

    /** {@code device}'s row of {@code agx:load --json status}. */
    protected String status(String device) throws Exception {
        return row(Shell.run(context, "agx:load --json status"), device);
    }

    /** The line of {@code device} in a JSON listing (one object per line), or "[]". */
    protected static String row(String json, String device) {
        return json.lines().filter(l -> l.contains("\"device\": \"" + device + "\"")).findFirst().orElse("[]");
    }

    /** {@link #deviceResources} once both default devices run: the baseline a test compares with. */
    protected java.util.Map<String, String> baselineResources() throws Exception {
        asahiDevice("t8103");
        asahiDevice("t8112");
        return Await.until(java.time.Duration.ofSeconds(20), this::deviceResources,
                r -> r.containsKey("t8103") && r.containsKey("t8112"), "both default devices in agx:resources");
    }

    /** Waits until every device of {@code before} holds what it held then. */
    protected void awaitResourcesBackTo(java.util.Map<String, String> before) throws Exception {
        if (before.isEmpty()) {
            throw new AssertionError("agx:resources showed no running device to compare");
        }
        Await.until(java.time.Duration.ofSeconds(20), this::deviceResources,
                now -> before.entrySet().stream().allMatch(e -> e.getValue().equals(now.get(e.getKey()))),
                "every device's resources back to " + before);
    }

    /**
     * Declares a device {@code name} for {@code compatible} with extra configuration properties
     * ({@code key, value, key, value...}, the real property names such as {@code hang.timeout.ms});
     * delete the returned configuration to detach it.
     */
    protected org.osgi.service.cm.Configuration declareDevice(String name, String compatible, Object... properties)
            throws java.io.IOException {
        org.osgi.service.cm.Configuration c = service(org.osgi.service.cm.ConfigurationAdmin.class)
                .getFactoryConfiguration("kiln.agx.device", name, "?");
        java.util.Hashtable<String, Object> props = new java.util.Hashtable<>();
        props.put("name", name);
        props.put("compatible", compatible);
        for (int i = 0; i + 1 < properties.length; i += 2) {
            props.put((String) properties[i], properties[i + 1]);
        }
        c.update(props);
        return c;
    }

    /** A call that may fail with a {@link kiln.drm.api.DrmException}. */
    protected interface Call {
        void run() throws Exception;
    }

    /** Runs {@code call}, which must fail with {@code errno}. */
    protected static void expect(kiln.drm.api.Errno errno, Call call) throws Exception {
        try {
            call.run();
            throw new AssertionError("expected " + errno);
        } catch (kiln.drm.api.DrmException e) {
            org.junit.Assert.assertEquals(e.getMessage(), errno, e.errno());
        }
    }
}
