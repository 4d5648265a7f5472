package kiln.runtime.support.internal;

import org.osgi.framework.BundleActivator;
import org.osgi.framework.BundleContext;

/**
 * Installs the runtime plumbing that has to exist before any other bundle starts.
 *
 * <p>This bundle runs at start level 1. It has no API and nothing depends on it; removing it
 * costs a real terminal in the interactive shell, the start-up report and scripted runs.
 */
public final class SupportActivator implements BundleActivator {
    private ContextClassLoaderReset classLoaderReset;
    private StartupReport startupReport;
    private ScriptRunner scriptRunner;

    @Override
    public void start(BundleContext context) {
        classLoaderReset = new ContextClassLoaderReset();
        context.addBundleListener(classLoaderReset);

        String script = context.getProperty(ScriptRunner.SCRIPT_PROPERTY);
        startupReport = new StartupReport(context, script != null ? System.err : System.out);
        context.addFrameworkListener(startupReport);

        if (script != null) {
            scriptRunner = new ScriptRunner(context, script, context.getProperty(ScriptRunner.STATUS_PROPERTY));
            scriptRunner.open();
        }
    }

    @Override
    public void stop(BundleContext context) {
        if (scriptRunner != null) {
            scriptRunner.close();
        }
        context.removeFrameworkListener(startupReport);
        context.removeBundleListener(classLoaderReset);
    }
}
