package kiln.itest;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

import org.apache.felix.service.command.CommandProcessor;
import org.apache.felix.service.command.CommandSession;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceReference;

/** Runs Gogo commands inside the framework under test, as a user at the prompt would. */
final class Shell {
    private Shell() {
    }

    /** Runs {@code command}; returns its result (as text) followed by anything it printed. */
    static String run(BundleContext context, String command) throws Exception {
        ServiceReference<CommandProcessor> ref = context.getServiceReference(CommandProcessor.class);
        if (ref == null) {
            throw new IllegalStateException("no Gogo command processor");
        }
        CommandProcessor processor = context.getService(ref);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);
             CommandSession session = processor.createSession(InputStream.nullInputStream(), out, out)) {
            session.put(".context", context);
            Object result = session.execute(command);
            out.flush();
            return (result == null ? "" : String.valueOf(result)) + bytes.toString(StandardCharsets.UTF_8);
        } finally {
            context.ungetService(ref);
        }
    }
}
