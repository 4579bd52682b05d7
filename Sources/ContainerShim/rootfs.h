// Builds a container's root filesystem inside its new mount namespace: the overlay, the
// kernel filesystems and bind mounts from the spec, device nodes, pivot_root, then masked
// and read-only paths. Mount targets are resolved with openat2(RESOLVE_IN_ROOT) so a
// symlink in an image cannot point a mount outside the rootfs.
#ifndef SKIFF_ROOTFS_H
#define SKIFF_ROOTFS_H

#include "spec.h"

/// Everything up to and including pivot_root; keeps `keep_fd` (opened before) usable.
void rootfs_prepare(const struct spec *spec);
/// Masked paths, read-only paths and the read-only root, after pivot_root.
void rootfs_finish(const struct spec *spec);

#endif
