package kiln.runtime.support.internal;

import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.FrameworkEvent;
import org.osgi.framework.startlevel.BundleStartLevel;
import org.osgi.framework.startlevel.FrameworkStartLevel;

/**
 * Tells when the runtime has finished starting.
 *
 * <p>Why not {@link FrameworkEvent#STARTED}: the bnd launcher starts the framework first and only
 * then installs the bundles and raises the start level, so STARTED has fired before any Kiln
 * bundle exists. Start-up is complete when the framework's active start level has reached the
 * highest start level any installed bundle asks for; Felix announces each completed level change
 * with {@link FrameworkEvent#STARTLEVEL_CHANGED}.
 */
final class StartupComplete {
    private StartupComplete() {
    }

    /** Whether {@code event} is one after which start-up may have completed. */
    static boolean isCandidate(FrameworkEvent event) {
        return event.getType() == FrameworkEvent.STARTED || event.getType() == FrameworkEvent.STARTLEVEL_CHANGED;
    }

    /** Whether every installed bundle's start level has been reached. */
    static boolean reached(BundleContext context) {
        Bundle system = context.getBundle(0);
        if (system.getState() != Bundle.ACTIVE) {
            return false;
        }
        int active = system.adapt(FrameworkStartLevel.class).getStartLevel();
        for (Bundle bundle : context.getBundles()) {
            BundleStartLevel level = bundle.adapt(BundleStartLevel.class);
            if (level != null && level.getStartLevel() > active) {
                return false;
            }
        }
        return true;
    }
}
