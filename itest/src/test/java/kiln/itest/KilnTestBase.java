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

    /** The installed bundle with this symbolic name; fails the test if there is none. */
    protected Bundle bundle(String bsn) {
        return find(bsn).orElseThrow(() -> new AssertionError("no bundle " + bsn));
    }
}
