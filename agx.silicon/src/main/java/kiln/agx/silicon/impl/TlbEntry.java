package kiln.agx.silicon.impl;

import java.lang.foreign.MemorySegment;

import kiln.agx.api.hw.UatPermissions;

/**
 * One cached translation: the page's frame and what each agent may do with it.
 *
 * @param frame       the physical frame's segment
 * @param permissions the page entry's permissions
 * @param global      a kernel (global) translation rather than one context's
 */
record TlbEntry(MemorySegment frame, UatPermissions permissions, boolean global) {
}
