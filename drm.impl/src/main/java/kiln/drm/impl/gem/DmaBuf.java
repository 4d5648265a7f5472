package kiln.drm.impl.gem;

import kiln.drm.impl.client.FileDescription;

/**
 * A dma-buf exported from a GEM object. It holds one reference on the object while anything holds
 * it: each descriptor installed for it, and each file's PRIME table entry (as the kernel's
 * {@code drm_prime_member} holds the dma-buf). The last holder's release drops the object's
 * reference and detaches the dma-buf from the object, so a later export makes a new one.
 */
final class DmaBuf implements FileDescription {
    final ShmemObj object;
    private int holders;

    /** Made for its first holder. */
    DmaBuf(ShmemObj object) {
        this.object = object;
        this.holders = 1;
    }

    /** Another holder (a descriptor, a PRIME entry); false if the dma-buf has already died. */
    synchronized boolean acquire() {
        if (holders == 0) {
            return false;
        }
        holders++;
        return true;
    }

    @Override
    public void release() {
        synchronized (this) {
            if (holders == 0) {
                throw new IllegalStateException("dma-buf released more often than held: " + this);
            }
            if (--holders > 0) {
                return;
            }
        }
        synchronized (object) {
            if (object.dmaBuf == this) {
                object.dmaBuf = null;
            }
        }
        object.put();
    }

    @Override
    public String toString() {
        return "dma-buf of " + object;
    }
}
