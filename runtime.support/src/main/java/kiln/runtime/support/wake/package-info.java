/**
 * Waking a sleeping thread at a deadline without a timed park: {@link kiln.runtime.support.wake.WakeTimer}.
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.0.0")
package kiln.runtime.support.wake;
