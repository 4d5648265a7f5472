package kiln.runtime.support.internal;

import java.io.BufferedReader;
import java.io.FileDescriptor;
import java.io.FileInputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import org.apache.felix.gogo.runtime.EOFError;
import org.apache.felix.service.command.CommandProcessor;
import org.apache.felix.service.command.CommandSession;
import org.apache.felix.service.command.Converter;
import org.osgi.framework.BundleContext;
import org.osgi.framework.BundleException;
import org.osgi.framework.FrameworkEvent;
import org.osgi.framework.FrameworkListener;
import org.osgi.util.tracker.ServiceTracker;

/**
 * Runs a Gogo script non-interactively once start-up is complete, then stops the framework
 * and reports whether every command succeeded.
 *
 * <p>Why not gosh itself: fed a script on stdin, the Gogo shell prints each failure and carries on,
 * and the launcher then always exits with the same status, so a caller cannot tell a clean run
 * from a broken one. This runner gives scripts the contract of {@code sh}: every command runs in
 * order, results are printed as the interactive shell prints them, failures go to stderr, and the
 * exit status (written to the file named by {@value #STATUS_PROPERTY}, which {@code bin/run} turns
 * into its own exit status) is 0 only if no command failed.
 *
 * <p>As in gosh, the last failure is kept in the session variable {@code exception}; with
 * {@value #TRACE_PROPERTY} set, every failure's stack trace is printed.
 *
 * <p>Input rules: blank lines and lines starting with {@code #} are skipped; a command may span
 * lines while its braces, brackets or quotes are open, exactly as at the interactive prompt.
 */
final class ScriptRunner implements FrameworkListener {
    /** Framework property naming the script to run: a file path, or {@code -} for standard input. */
    static final String SCRIPT_PROPERTY = "kiln.script";
    /** Framework property: {@code true} prints the stack trace of every failed command. */
    static final String TRACE_PROPERTY = "kiln.script.trace";
    /** Framework property naming the file that receives the script's exit status. */
    static final String STATUS_PROPERTY = "kiln.script.status";

    private final BundleContext context;
    private final String script;
    private final String statusFile;
    private final boolean trace;
    private final ServiceTracker<CommandProcessor, CommandProcessor> processors;
    private volatile boolean started;

    ScriptRunner(BundleContext context, String script, String statusFile) {
        this.context = context;
        this.script = script;
        this.statusFile = statusFile;
        this.trace = Boolean.parseBoolean(context.getProperty(TRACE_PROPERTY));
        this.processors = new ServiceTracker<>(context, CommandProcessor.class, null);
    }

    void open() {
        processors.open();
        context.addFrameworkListener(this);
        if (StartupComplete.reached(context)) {
            launch();
        }
    }

    void close() {
        context.removeFrameworkListener(this);
        processors.close();
    }

    @Override
    public void frameworkEvent(FrameworkEvent event) {
        if (StartupComplete.isCandidate(event) && StartupComplete.reached(context)) {
            launch();
        }
    }

    private synchronized void launch() {
        if (started) {
            return;
        }
        started = true;
        Thread thread = new Thread(this::runAndStop, "kiln-script");
        thread.setDaemon(true);
        thread.start();
    }

    private void runAndStop() {
        int status;
        try {
            CommandProcessor processor = processors.waitForService(30_000);
            if (processor == null) {
                System.err.println("kiln: no Gogo command processor came up within 30 s; script not run");
                status = 2;
            } else {
                // Gogo replaces System.out/err with streams that route to the calling session: a
                // session writing to those would write to itself. Use the process's own descriptors.
                PrintStream out = new PrintStream(new FileOutputStream(FileDescriptor.out), true, StandardCharsets.UTF_8);
                PrintStream err = new PrintStream(new FileOutputStream(FileDescriptor.err), true, StandardCharsets.UTF_8);
                status = run(processor, out, err);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            status = 130;
        } catch (RuntimeException e) {
            System.err.println("kiln: cannot run script " + script + ": " + e);
            status = 2;
        }
        writeStatus(status);
        try {
            context.getBundle(0).stop();
        } catch (BundleException | IllegalStateException e) {
            System.err.println("kiln: cannot stop the framework: " + e);
        }
    }

    int run(CommandProcessor processor, PrintStream out, PrintStream err) {
        int failures = 0;
        try (InputStream input = "-".equals(script) ? new FileInputStream(FileDescriptor.in) : Files.newInputStream(Path.of(script));
             BufferedReader reader = new BufferedReader(new InputStreamReader(input, StandardCharsets.UTF_8));
             CommandSession session = processor.createSession(InputStream.nullInputStream(), out, err)) {
            StringBuilder pending = new StringBuilder();
            String line;
            while ((line = reader.readLine()) != null) {
                if (pending.isEmpty() && (line.isBlank() || line.stripLeading().startsWith("#"))) {
                    continue;
                }
                pending.append(line).append('\n');
                try {
                    Object result = session.execute(pending);
                    if (result != null) {
                        out.println(session.format(result, Converter.INSPECT));
                    }
                } catch (EOFError incomplete) {
                    continue; // an open brace or quote: the command goes on on the next line
                } catch (Exception e) {
                    failures++;
                    session.put("exception", e);
                    err.println("gogo: " + e.getClass().getSimpleName() + ": " + e.getMessage());
                    if (trace) {
                        e.printStackTrace(err);
                    }
                }
                out.flush();
                pending.setLength(0);
            }
            if (!pending.isEmpty()) {
                failures++;
                err.println("gogo: script ended inside an unterminated command: " + pending.toString().strip());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return failures == 0 ? 0 : 1;
    }

    private void writeStatus(int status) {
        if (statusFile == null) {
            return;
        }
        try {
            Files.writeString(Path.of(statusFile), Integer.toString(status));
        } catch (IOException e) {
            System.err.println("kiln: cannot write script status to " + statusFile + ": " + e);
        }
    }
}
