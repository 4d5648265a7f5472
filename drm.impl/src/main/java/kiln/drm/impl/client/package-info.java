/** Clients (processes), their address spaces and descriptor tables (private to the bundle). */
package kiln.drm.impl.client;
