/**
 * What Kiln's shell commands return: {@link kiln.runtime.support.shell.Table}, an aligned table
 * for people or JSON for scripts ({@code --json}).
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.1.0")
package kiln.runtime.support.shell;
