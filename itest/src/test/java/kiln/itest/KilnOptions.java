package kiln.itest;

import static org.ops4j.pax.exam.CoreOptions.composite;
import static org.ops4j.pax.exam.CoreOptions.frameworkProperty;
import static org.ops4j.pax.exam.CoreOptions.junitBundles;
import static org.ops4j.pax.exam.CoreOptions.systemProperty;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;

import org.ops4j.pax.exam.Option;

/** The Kiln runtime as Pax Exam provisions it: the same bundles and start order as cnf/kiln.bndrun. */
final class KilnOptions {
    /** Every Kiln bundle, by symbolic name. */
    static final String[] KILN_BUNDLES = {
        "runtime.support", "drm.api", "drm.impl", "agx.api", "agx.silicon", "agx.firmware",
        "agx.g13", "agx.g14", "firmware.fw12_3", "firmware.fw13_2", "agx.driver", "agx.client", "drm.bridge"};

    /** Where the runtime under test serves native programs. */
    static final java.nio.file.Path SOCKET = java.nio.file.Path.of("/tmp", "kiln-itest-" + ProcessHandle.current().pid(),
            "kiln.sock");

    private KilnOptions() {
    }

    /** The full runtime, with FileInstall watching a fresh temporary deploy directory. */
    static Option runtime() {
        String deploy;
        try {
            deploy = Files.createTempDirectory("kiln-deploy").toString();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return composite(
                // JDK code (ServiceLoader) inside the framework must not see the test class path's slf4j
                frameworkProperty("felix.bootdelegation.implicit").value("false"),
                frameworkProperty("felix.fileinstall.dir").value(deploy),
                frameworkProperty("felix.fileinstall.poll").value("200"),
                frameworkProperty("felix.fileinstall.noInitialDelay").value("true"),
                frameworkProperty("felix.fileinstall.log.level").value("2"),
                // the native bridge listens on a socket of this test run: a developer's runtime keeps its own
                frameworkProperty("kiln.socket").value(SOCKET.toString()),
                systemProperty("org.slf4j.simpleLogger.defaultLogLevel").value("warn"),
                systemProperty("org.slf4j.simpleLogger.log.kiln.agx.driver.internal.device").value("info"), // what each device did, in the reports
                // logging first, or slf4j binds to NOP for the life of the VM
                composite(ClasspathBundles.bundles(1,
                        "org.objectweb.asm", "org.objectweb.asm.commons", "org.objectweb.asm.tree",
                        "org.objectweb.asm.tree.analysis", "org.objectweb.asm.util",
                        "org.apache.aries.spifly.dynamic.bundle", "slf4j.api", "slf4j.simple")),
                composite(ClasspathBundles.bundles(2,
                        "org.osgi.util.function", "org.osgi.util.promise", "org.osgi.service.component",
                        "org.apache.felix.scr", "org.apache.felix.gogo.runtime", "org.apache.felix.gogo.command",
                        "org.apache.felix.configadmin", "org.apache.felix.eventadmin", "org.apache.felix.fileinstall")),
                composite(ClasspathBundles.bundles(3, KILN_BUNDLES)),
                junitBundles());
    }
}
