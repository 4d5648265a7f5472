/**
 * Demo workloads run as a client through the asahi UAPI, each checking its own results
 * ({@link kiln.agx.client.demo.Workloads}), and the session helper they share
 * ({@link kiln.agx.client.demo.GpuSession}).
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.2.0")
package kiln.agx.client.demo;
