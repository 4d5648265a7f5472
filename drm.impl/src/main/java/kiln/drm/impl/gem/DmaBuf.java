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
    private boolean dead;

    /** Takes over one reference on {@code object}; its first holder comes with the first acquire. */
    DmaBuf(ShmemObj object) {
        this.object = object;
    }

    /** Another holder (a descriptor, a PRIME entry); false once the dma-buf has died. */
    @Override
    public synchronized boolean acquire() {
        if (dead) {
            return false;
        }
        holders++;
        return true;
    }

    synchronized boolean isDead() {
        return dead;
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
            dead = true;
        }
        die();
    }

    /** An export that never got its descriptor: dies unless someone acquired it meanwhile. */
    void abandonIfUnheld() {
        synchronized (this) {
            if (holders > 0 || dead) {
                return;
            }
            dead = true;
        }
        die();
    }

    private void die() {
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
