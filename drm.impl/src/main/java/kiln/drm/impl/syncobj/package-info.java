/** drm_syncobj, its handles, sync files and the SYNCOBJ core ioctls (private to the bundle). */
package kiln.drm.impl.syncobj;
