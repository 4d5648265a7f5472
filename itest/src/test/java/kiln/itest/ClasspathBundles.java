package kiln.itest;

import static org.ops4j.pax.exam.CoreOptions.bundle;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.HashMap;
import java.util.Map;
import java.util.jar.JarFile;

import org.ops4j.pax.exam.Option;

/**
 * Provisions bundles from the test class path, chosen by Bundle-SymbolicName.
 *
 * <p>Why: versions then live in the pom only, the reactor's freshly built {@code target/*.jar}
 * are what is tested, and nothing goes through Maven resolution while the framework starts.
 */
final class ClasspathBundles {
    private static final Map<String, File> BY_BSN = scan();

    private ClasspathBundles() {
    }

    /** One option per symbolic name, each bundle started at {@code startLevel}. */
    static Option[] bundles(int startLevel, String... symbolicNames) {
        Option[] options = new Option[symbolicNames.length];
        for (int i = 0; i < symbolicNames.length; i++) {
            options[i] = bundle(file(symbolicNames[i]).toURI().toString()).startLevel(startLevel).start();
        }
        return options;
    }

    /** The jar on the class path whose symbolic name is {@code bsn}. */
    static File file(String bsn) {
        File jar = BY_BSN.get(bsn);
        if (jar == null) {
            throw new IllegalStateException("no bundle " + bsn + " on the test class path; is it a dependency of itest?");
        }
        return jar;
    }

    private static Map<String, File> scan() {
        String path = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        Map<String, File> found = new HashMap<>();
        for (String entry : path.split(File.pathSeparator)) {
            File file = new File(entry);
            if (!file.isFile() || !file.getName().endsWith(".jar")) {
                continue;
            }
            try (JarFile jar = new JarFile(file)) {
                var manifest = jar.getManifest();
                String bsn = manifest == null ? null : manifest.getMainAttributes().getValue("Bundle-SymbolicName");
                if (bsn != null) {
                    found.putIfAbsent(bsn.split(";")[0].trim(), file);
                }
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read " + file, e);
            }
        }
        return found;
    }
}
