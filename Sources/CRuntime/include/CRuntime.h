// CRuntime: C calls for skiff's Swift container runtime.
//
// The shim, the container init, exec and the pod sandbox are not here: they are C in
// Sources/ContainerShim, built into a small executable of their own (see Plugins/ShimImage).
// This module holds the calls Swift needs but Glibc's module lacks, and re-exports the
// zlib/zstd declarations for layer unpacking.
#ifndef SKIFF_CRUNTIME_H
#define SKIFF_CRUNTIME_H

#include <stddef.h>
#include <stdint.h>
#include <zlib.h>
#include <zstd.h>

#include "skiff_terminal.h"

/// Thin wrappers over syscalls that glibc in this toolchain's headers does not declare.
int skiff_pidfd_open(int pid);
int skiff_pidfd_send_signal(int pidfd, int sig);

/// openat2 with RESOLVE_IN_ROOT: resolves `path` as if `root_fd` were `/`, so symlinks in an
/// image layer cannot lead outside it. Returns an fd or -errno.
int skiff_open_in_root(int root_fd, const char *path, int flags, unsigned int mode);

/// GNU-only constants the Swift Glibc module does not export (it is built without _GNU_SOURCE).
#define SKIFF_O_PATH 0x200000
#define SKIFF_POSIX_SPAWN_SETSID 0x80

/// mallopt(M_ARENA_MAX, count): at most `count` glibc malloc arenas. Returns 1 on success.
int skiff_set_malloc_arenas(int count);

/// malloc_trim(0): hands free pages inside every malloc arena back to the kernel, not only the
/// top of the main heap as free() does. Returns 1 when memory was released.
int skiff_trim_heap(void);

/// madvise(MADV_PAGEOUT) over every mapping of the running executable, then drops the file's
/// cached pages no process maps: the kernel frees what no other process uses, and the pages
/// still in use fault back in one by one (the mappings are also marked MADV_RANDOM). Returns
/// the bytes advised, or -errno (EINVAL before Linux 5.4).
long skiff_page_out_executable(void);

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
