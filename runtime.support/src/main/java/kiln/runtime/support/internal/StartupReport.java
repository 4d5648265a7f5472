package kiln.runtime.support.internal;

import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;

import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.Constants;
import org.osgi.framework.FrameworkEvent;
import org.osgi.framework.FrameworkListener;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.framework.ServiceReference;

import kiln.runtime.support.shell.StartupLine;

/**
 * Prints, once the framework has reached its final start level, which bundles came up.
 *
 * <p>Printed once. Kiln bundles (those whose {@code Bundle-Vendor} is {@value #VENDOR}) are listed by name;
 * any bundle that is not ACTIVE (fragments excepted) is listed with its state, so a broken start
 * is visible on the first screen rather than only through {@code lb}. Devices announce themselves
 * when the driver binds them.
 */
final class StartupReport implements FrameworkListener {
    static final String VENDOR = "Kiln";

    private final BundleContext context;
    private final PrintStream out;
    private volatile boolean reported;

    StartupReport(BundleContext context, PrintStream out) {
        this.context = context;
        this.out = out;
    }

    @Override
    public void frameworkEvent(FrameworkEvent event) {
        if (StartupComplete.isCandidate(event) && StartupComplete.reached(context) && !reported) {
            reported = true;
            out.print(render(context.getBundles(), ManagementFactory.getRuntimeMXBean().getUptime()) + lines());
            out.flush();
        }
    }

    /** What bundles add ({@link StartupLine}), one per line. */
    private String lines() {
        StringBuilder text = new StringBuilder();
        try {
            ServiceReference<?>[] refs = context.getServiceReferences((String) null, "(" + StartupLine.PROPERTY + "=*)");
            if (refs != null) {
                java.util.Arrays.sort(refs, java.util.Collections.reverseOrder());
                for (ServiceReference<?> ref : refs) {
                    text.append("  ").append(ref.getProperty(StartupLine.PROPERTY)).append(System.lineSeparator());
                }
            }
        } catch (InvalidSyntaxException e) {
            throw new AssertionError(e);
        }
        return text.toString();
    }

    static String render(Bundle[] bundles, long uptimeMillis) {
        List<String> kiln = new ArrayList<>();
        List<String> notActive = new ArrayList<>();
        for (Bundle bundle : bundles) {
            boolean fragment = bundle.getHeaders("").get(Constants.FRAGMENT_HOST) != null;
            if (VENDOR.equals(bundle.getHeaders("").get(Constants.BUNDLE_VENDOR))) {
                kiln.add(bundle.getSymbolicName());
            }
            if (!fragment && bundle.getState() != Bundle.ACTIVE) {
                notActive.add(String.format("  %-45s %s%n", bundle.getSymbolicName(), stateName(bundle.getState())));
            }
        }
        StringBuilder text = new StringBuilder();
        text.append(String.format("Kiln runtime up in %.1f s on Java %s: %d bundles, %s%n",
                uptimeMillis / 1000.0, Runtime.version(), bundles.length,
                notActive.isEmpty() ? "all active" : notActive.size() + " NOT ACTIVE"));
        text.append(String.format("  Kiln bundles (%d): %s%n", kiln.size(), String.join(" ", kiln)));
        notActive.forEach(text::append);
        return text.toString();
    }

    static String stateName(int state) {
        return switch (state) {
            case Bundle.UNINSTALLED -> "UNINSTALLED";
            case Bundle.INSTALLED -> "INSTALLED (unresolved)";
            case Bundle.RESOLVED -> "RESOLVED (not started)";
            case Bundle.STARTING -> "STARTING";
            case Bundle.STOPPING -> "STOPPING";
            case Bundle.ACTIVE -> "ACTIVE";
            default -> "state " + state;
        };
    }
}
