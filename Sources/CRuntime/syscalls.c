// Thin wrappers over syscalls and GNU-only calls that Swift's Glibc module does not export.
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <sys/syscall.h>
#include <sys/vfs.h>
#include <sys/mman.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "CRuntime.h"

#include <linux/openat2.h>

int skiff_pidfd_open(int pid) {
  int fd = (int)syscall(SYS_pidfd_open, pid, 0);
  return fd < 0 ? -errno : fd;
}

int skiff_pidfd_send_signal(int pidfd, int sig) {
  return syscall(SYS_pidfd_send_signal, pidfd, sig, NULL, 0) < 0 ? -errno : 0;
}

int skiff_open_in_root(int root_fd, const char *path, int flags, unsigned int mode) {
  struct open_how how = {.flags = (unsigned long long)(flags | O_CLOEXEC), .mode = mode, .resolve = RESOLVE_IN_ROOT};
  int fd = (int)syscall(SYS_openat2, root_fd, path, &how, sizeof how);
  return fd < 0 ? -errno : fd;
}

int skiff_pipe(int fds[2]) { return pipe2(fds, O_CLOEXEC) < 0 ? -errno : 0; }

int skiff_setns_net(int fd) { return setns(fd, CLONE_NEWNET) < 0 ? -errno : 0; }

long long skiff_statfs_type(const char *path) {
  struct statfs info;
  return statfs(path, &info) < 0 ? -errno : (long long)info.f_type;
}

int skiff_memfd(const char *name) {
  int fd = memfd_create(name, MFD_CLOEXEC);
  return fd < 0 ? -errno : fd;
}

int skiff_set_xattr(int fd, const char *name, const void *value, size_t size) {
  return fsetxattr(fd, name, value, size, 0) < 0 ? -errno : 0;
}

