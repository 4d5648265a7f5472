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
}
