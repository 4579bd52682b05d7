// CRuntime: the parts of skiff's container runtime that must not be Swift.
//
// Why C: the container init runs between fork/clone and exec (namespaces, mounts,
// pivot_root, capabilities, seccomp), where only async-signal-safe code is allowed, and the
// per-container shim and the pod sandbox's pause process must stay around 1-2 MB RSS with
// no Swift runtime, Foundation or NIO work. These modes run from an ELF constructor, before
// Swift's main, when argv[1] is `__shim`, `__sandbox` or `__exec`, and never return.
// The Swift side also uses the zlib/zstd declarations re-exported here for layer unpacking.
#ifndef SKIFF_CRUNTIME_H
#define SKIFF_CRUNTIME_H

#include <stddef.h>
#include <stdint.h>
#include <zlib.h>
#include <zstd.h>

/// Returns 1 when this process image contains the hidden-mode dispatcher (always, once linked);
/// Swift calls it so the linker keeps the object that holds the constructor.
int skiff_runtime_linked(void);

/// Opens a new pseudo-terminal pair; returns 0 and the master/slave fds, or -errno.
int skiff_openpty(int *master, int *slave);

/// Sets a terminal's window size; returns 0 or -errno.
int skiff_set_winsize(int fd, unsigned short rows, unsigned short cols);

/// Reads a terminal's window size; returns 0 or -errno.
int skiff_get_winsize(int fd, unsigned short *rows, unsigned short *cols);
/// Puts a terminal in raw mode, saving its settings in an opaque buffer of 128 bytes; restore undoes it.
int skiff_tty_raw(int fd, void *saved, size_t size);
int skiff_tty_restore(int fd, const void *saved, size_t size);

/// Thin wrappers over syscalls that glibc in this toolchain's headers does not declare.
int skiff_pidfd_open(int pid);
int skiff_pidfd_send_signal(int pidfd, int sig);

/// openat2 with RESOLVE_IN_ROOT: resolves `path` as if `root_fd` were `/`, so symlinks in an
/// image layer cannot lead outside it. Returns an fd or -errno.
int skiff_open_in_root(int root_fd, const char *path, int flags, unsigned int mode);

/// GNU-only constants the Swift Glibc module does not export (it is built without _GNU_SOURCE).
#define SKIFF_O_PATH 0x200000
#define SKIFF_POSIX_SPAWN_SETSID 0x80

/// memfd_create(name, MFD_CLOEXEC); returns an fd or -errno.
int skiff_memfd(const char *name);
/// fsetxattr; returns 0 or -errno.
int skiff_set_xattr(int fd, const char *name, const void *value, size_t size);

/// pipe2(O_CLOEXEC); returns 0 or -errno.
int skiff_pipe(int fds[2]);

/// setns(2) into a network namespace for the calling thread only; returns 0 or -errno.
int skiff_setns_net(int fd);
/// The f_type of statfs(path), or -errno.
long long skiff_statfs_type(const char *path);

#endif
