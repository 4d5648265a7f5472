/** drm_sched (private to the bundle): one virtual thread per scheduler makes every decision. */
package kiln.drm.impl.sched;
