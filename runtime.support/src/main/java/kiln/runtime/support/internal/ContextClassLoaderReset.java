package kiln.runtime.support.internal;

import org.osgi.framework.BundleEvent;
import org.osgi.framework.SynchronousBundleListener;

/**
 * Runs every bundle activator with a {@code null} thread context class loader.
 *
 * <p>Why: JLine 3.22+ finds its terminal providers through the thread context class loader. Inside
 * OSGi that loader (the launcher's) sees none of them, so the Gogo shell silently falls back to a
 * dumb terminal even on a real tty. Threads inherit the context loader of the thread that creates
 * them, so clearing it while an activator runs means the shell thread Gogo starts from its
 * activator gets {@code null}, and JLine then falls back to its own bundle class loader, which does
 * see the providers. The previous loader is restored once the bundle has started.
 */
final class ContextClassLoaderReset implements SynchronousBundleListener {
    private final ThreadLocal<ClassLoader> saved = new ThreadLocal<>();

    @Override
    public void bundleChanged(BundleEvent event) {
        Thread thread = Thread.currentThread();
        switch (event.getType()) {
            case BundleEvent.STARTING -> {
                saved.set(thread.getContextClassLoader());
                thread.setContextClassLoader(null);
            }
            case BundleEvent.STARTED, BundleEvent.STOPPED -> {
                // STOPPED follows STARTING when an activator throws.
                if (thread.getContextClassLoader() == null) {
                    thread.setContextClassLoader(saved.get());
                }
                saved.remove();
            }
            default -> { }
        }
    }
}
