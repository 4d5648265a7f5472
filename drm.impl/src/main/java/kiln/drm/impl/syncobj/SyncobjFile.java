package kiln.drm.impl.syncobj;

import kiln.drm.impl.client.FileDescription;

/** A syncobj exported as a file descriptor (HANDLE_TO_FD without flags). */
record SyncobjFile(Syncobj syncobj) implements FileDescription {
    @Override
    public void release() {
        // the syncobj lives on while any handle refers to it
    }
}
