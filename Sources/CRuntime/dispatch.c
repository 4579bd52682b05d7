// Runs the hidden modes from an ELF constructor, before Swift's main and before any thread
// exists, so the shim, the sandbox and exec are single-threaded C processes.
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <sys/vfs.h>
#include <sys/mman.h>
#include <sys/xattr.h>
#include <termios.h>
#include <unistd.h>

#include "CRuntime.h"

#include <linux/openat2.h>

int shim_main(void);
int sandbox_main(void);
int exec_main(void);

__attribute__((constructor)) static void skiff_runtime_dispatch(int argc, char **argv, char **envp) {
  (void)envp;
  if (argc < 2 || argv[1][0] != '_' || argv[1][1] != '_') return;
  if (strcmp(argv[1], "__shim") == 0) _exit(shim_main());
  if (strcmp(argv[1], "__sandbox") == 0) _exit(sandbox_main());
  if (strcmp(argv[1], "__exec") == 0) _exit(exec_main());
}

int skiff_runtime_linked(void) { return 1; }

int skiff_openpty(int *master, int *slave) {
  int m = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
  if (m < 0) return -errno;
  if (grantpt(m) < 0 || unlockpt(m) < 0) {
    int saved = errno;
    close(m);
    return -saved;
  }
  int s = ioctl(m, TIOCGPTPEER, O_RDWR | O_NOCTTY | O_CLOEXEC);
  if (s < 0) {
    int saved = errno;
    close(m);
    return -saved;
  }
  *master = m;
  *slave = s;
  return 0;
}

int skiff_set_winsize(int fd, unsigned short rows, unsigned short cols) {
  struct winsize size = {.ws_row = rows, .ws_col = cols};
  return ioctl(fd, TIOCSWINSZ, &size) < 0 ? -errno : 0;
}

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

int skiff_get_winsize(int fd, unsigned short *rows, unsigned short *cols) {
  struct winsize size;
  if (ioctl(fd, TIOCGWINSZ, &size) < 0) return -errno;
  *rows = size.ws_row;
  *cols = size.ws_col;
  return 0;
}

int skiff_tty_raw(int fd, void *saved, size_t size) {
  struct termios settings;
  if (size < sizeof settings) return -EINVAL;
  if (tcgetattr(fd, &settings) < 0) return -errno;
  memcpy(saved, &settings, sizeof settings);
  cfmakeraw(&settings);
  return tcsetattr(fd, TCSANOW, &settings) < 0 ? -errno : 0;
}

int skiff_tty_restore(int fd, const void *saved, size_t size) {
  struct termios settings;
  if (size < sizeof settings) return -EINVAL;
  memcpy(&settings, saved, sizeof settings);
  return tcsetattr(fd, TCSANOW, &settings) < 0 ? -errno : 0;
}
