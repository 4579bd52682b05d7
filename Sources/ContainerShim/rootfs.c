#include "rootfs.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "util.h"

static int root_fd = -1;

static int open_in_root(const char *path, int flags) {
  struct open_how how = {.flags = (unsigned long long)(flags | O_CLOEXEC), .resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS};
  while (*path == '/') path++;
  if (!*path) return fcntl(root_fd, F_DUPFD_CLOEXEC, 3);
  return (int)syscall(SYS_openat2, root_fd, path, &how, sizeof how);
}

/// Creates every directory of `path` inside the rootfs, then the last component as a
/// directory or an empty file; returns an O_PATH fd on it.
static int create_in_root(const char *path, int as_file) {
  char buffer[4096];
  snprintf(buffer, sizeof buffer, "%s", path);
  size_t length = strlen(buffer);
  while (length > 1 && buffer[length - 1] == '/') buffer[--length] = 0;
  int existing = open_in_root(buffer, O_PATH);
  if (existing >= 0) return existing;
  // Walk component by component so each mkdirat happens in an already-resolved parent.
  char partial[4096] = "";
  const char *cursor = buffer;
  while (*cursor) {
    while (*cursor == '/') cursor++;
    const char *end = strchr(cursor, '/');
    size_t part = end ? (size_t)(end - cursor) : strlen(cursor);
    if (!part) break;
    char name[256];
    if (part >= sizeof name) fail_plain("mount target %s: name too long", path);
    memcpy(name, cursor, part);
    name[part] = 0;
    int parent = open_in_root(*partial ? partial : "/", O_PATH | O_DIRECTORY);
    if (parent < 0) fail("resolving %s in the container's rootfs", *partial ? partial : "/");
    int last = end == NULL || end[strspn(end, "/")] == 0;
    if (last && as_file) {
      int fd = openat(parent, name, O_CREAT | O_WRONLY | O_CLOEXEC | O_NOFOLLOW, 0644);
      if (fd < 0 && errno != EEXIST && errno != EISDIR) fail("creating mount target %s", path);
      if (fd >= 0) close(fd);
    } else if (mkdirat(parent, name, 0755) < 0 && errno != EEXIST) {
      fail("creating directory %s/%s in the container's rootfs", partial, name);
    }
    close(parent);
    size_t used = strlen(partial);
    snprintf(partial + used, sizeof partial - used, "/%s", name);
    cursor += part;
  }
  int fd = open_in_root(buffer, O_PATH);
  if (fd < 0) fail("resolving mount target %s", path);
  return fd;
}

static void proc_fd_path(int fd, char *out, size_t size) { snprintf(out, size, "/proc/self/fd/%d", fd); }

static const unsigned long remount_flags = MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC | MS_NOATIME | MS_RELATIME;

static void remount_bind(const char *target, unsigned long flags, const char *what) {
  if (mount(NULL, target, NULL, MS_BIND | MS_REMOUNT | (flags & remount_flags), NULL) == 0) return;
  // The kernel refuses to clear locked flags of the source; keep those and retry.
  struct statvfs info;
  if (errno == EPERM && statvfs(target, &info) == 0) {
    unsigned long locked = 0;
    if (info.f_flag & ST_NOSUID) locked |= MS_NOSUID;
    if (info.f_flag & ST_NODEV) locked |= MS_NODEV;
    if (info.f_flag & ST_NOEXEC) locked |= MS_NOEXEC;
    if (mount(NULL, target, NULL, MS_BIND | MS_REMOUNT | (flags & remount_flags) | locked, NULL) == 0) return;
  }
  fail("remounting %s", what);
}

static void do_mount(const struct spec_entry *entry) {
  const char *f[7];
  if (spec_fields(entry, f, 7) < 7) fail_plain("malformed mount entry");
  const char *kind = f[0], *source = f[1], *dest = f[2], *fstype = f[3], *data = f[6];
  unsigned long flags = strtoul(f[4], NULL, 10), propagation = strtoul(f[5], NULL, 10);
  int as_file = strcmp(kind, "file") == 0;
  if (strcmp(kind, "auto") == 0) {
    struct stat info;
    as_file = stat(source, &info) == 0 && !S_ISDIR(info.st_mode);
  }
  int target_fd = create_in_root(dest, as_file);
  char target[64];
  proc_fd_path(target_fd, target, sizeof target);
  if (flags & MS_BIND) {
    if (mount(source, target, NULL, MS_BIND | (flags & MS_REC), NULL) < 0) fail("bind-mounting %s on %s", source, dest);
  } else if (mount(source, target, fstype, flags, *data ? data : NULL) < 0) {
    fail("mounting %s on %s (%s)", fstype, dest, source);
  }
  close(target_fd);
  if (!(flags & MS_BIND && flags & remount_flags) && !propagation) return;
  // The fd still names the directory under the new mount; reopen to reach the mount itself.
  target_fd = open_in_root(dest, O_PATH);
  if (target_fd < 0) fail("reopening mount target %s", dest);
  proc_fd_path(target_fd, target, sizeof target);
  if (flags & MS_BIND && flags & remount_flags) remount_bind(target, flags, dest);
  if (propagation && mount(NULL, target, NULL, propagation, NULL) < 0) fail("setting propagation of %s", dest);
  close(target_fd);
}

static void make_device(const struct spec_entry *entry) {
  const char *f[7];
  if (spec_fields(entry, f, 7) < 7) fail_plain("malformed device entry");
  mode_t mode = (mode_t)strtoul(f[4], NULL, 8) | (f[1][0] == 'b' ? S_IFBLK : S_IFCHR);
  dev_t device = makedev(strtoul(f[2], NULL, 10), strtoul(f[3], NULL, 10));
  int dev_fd = open_in_root("/dev", O_PATH | O_DIRECTORY);
  if (dev_fd < 0) fail("opening the container's /dev");
  const char *name = f[0] + (strncmp(f[0], "/dev/", 5) == 0 ? 5 : 0);
  unlinkat(dev_fd, name, 0);
  if (mknodat(dev_fd, name, mode, device) < 0) fail("creating device %s", f[0]);
  if (fchownat(dev_fd, name, (uid_t)atoi(f[5]), (gid_t)atoi(f[6]), AT_SYMLINK_NOFOLLOW) < 0) fail("chown %s", f[0]);
  if (fchmodat(dev_fd, name, mode & 07777, 0) < 0) fail("chmod %s", f[0]);
  close(dev_fd);
}

static void make_symlink(const struct spec_entry *entry) {
  const char *f[2];
  if (spec_fields(entry, f, 2) < 2) fail_plain("malformed symlink entry");
  int dev_fd = open_in_root("/dev", O_PATH | O_DIRECTORY);
  if (dev_fd < 0) fail("opening the container's /dev");
  const char *name = f[1] + (strncmp(f[1], "/dev/", 5) == 0 ? 5 : 0);
  if (symlinkat(f[0], dev_fd, name) < 0 && errno != EEXIST) fail("creating symlink %s", f[1]);
  close(dev_fd);
}

static void mount_overlay(const struct spec *spec, const char *rootfs) {
  const char *snapshots = spec_str(spec, "snapshots_dir");
  if (snapshots && chdir(snapshots) < 0) fail("entering the snapshot directory %s", snapshots);
  char options[4096];
  size_t used = (size_t)snprintf(options, sizeof options, "lowerdir=");
  int first = 1;
  for (const struct spec_entry *e = spec_next(spec, "lowerdir", NULL); e; e = spec_next(spec, "lowerdir", e)) {
    used += (size_t)snprintf(options + used, sizeof options - used, "%s%s", first ? "" : ":", e->value);
    first = 0;
  }
  used += (size_t)snprintf(options + used, sizeof options - used, ",upperdir=%s,workdir=%s", spec_str(spec, "upper"),
                           spec_str(spec, "work"));
  if (used >= sizeof options) fail_plain("too many image layers for one overlay mount");
  if (mount("overlay", rootfs, "overlay", 0, options) < 0) {
    if (errno == ENODEV) fail_plain("overlay filesystem not available in this kernel");
    fail("mounting the overlay rootfs on %s", rootfs);
  }
}

void rootfs_prepare(const struct spec *spec) {
  const char *rootfs = spec_str(spec, "rootfs");
  if (!rootfs) fail_plain("spec has no rootfs");
  unsigned long propagation = (unsigned long)spec_int(spec, "root_propagation", MS_SLAVE | MS_REC);
  if (mount(NULL, "/", NULL, propagation, NULL) < 0) fail("making / %s", "a slave mount");
  if (spec_get(spec, "lowerdir")) {
    mount_overlay(spec, rootfs);
  } else if (mount(rootfs, rootfs, NULL, MS_BIND | MS_REC, NULL) < 0) {
    fail("bind-mounting rootfs %s", rootfs);
  }
  root_fd = open(rootfs, O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (root_fd < 0) fail("opening rootfs %s", rootfs);
  for (const struct spec_entry *e = spec_next(spec, "mount", NULL); e; e = spec_next(spec, "mount", e)) do_mount(e);
  for (const struct spec_entry *e = spec_next(spec, "device", NULL); e; e = spec_next(spec, "device", e)) {
    make_device(e);
  }
  for (const struct spec_entry *e = spec_next(spec, "symlink", NULL); e; e = spec_next(spec, "symlink", e)) {
    make_symlink(e);
  }
  if (spec_flag(spec, "tty")) {  // stdin is the pty slave by now
    int target = create_in_root("/dev/console", 1);
    char path[64];
    proc_fd_path(target, path, sizeof path);
    if (mount("/proc/self/fd/0", path, NULL, MS_BIND, NULL) < 0) fail("binding the terminal to /dev/console");
    close(target);
  }
  if (fchdir(root_fd) < 0) fail("entering rootfs");
  if (syscall(SYS_pivot_root, ".", ".") < 0) fail("pivot_root into %s", rootfs);
  if (mount(NULL, ".", NULL, MS_SLAVE | MS_REC, NULL) < 0) fail("making the old root a slave");
  if (umount2(".", MNT_DETACH) < 0) fail("detaching the old root");
  if (chdir("/") < 0) fail("chdir /");
  close(root_fd);
  root_fd = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
}

void rootfs_finish(const struct spec *spec) {
  for (const struct spec_entry *e = spec_next(spec, "readonly_path", NULL); e; e = spec_next(spec, "readonly_path", e)) {
    int fd = open_in_root(e->value, O_PATH);
    if (fd < 0) continue;  // absent in this image: nothing to protect
    char path[64];
    proc_fd_path(fd, path, sizeof path);
    if (mount(path, path, NULL, MS_BIND | MS_REC, NULL) < 0) fail("binding %s read-only", e->value);
    close(fd);
    fd = open_in_root(e->value, O_PATH);
    if (fd < 0) fail("reopening %s", e->value);
    proc_fd_path(fd, path, sizeof path);
    remount_bind(path, MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, e->value);
    close(fd);
  }
  for (const struct spec_entry *e = spec_next(spec, "masked_path", NULL); e; e = spec_next(spec, "masked_path", e)) {
    int fd = open_in_root(e->value, O_PATH);
    if (fd < 0) continue;
    struct stat info;
    char path[64];
    proc_fd_path(fd, path, sizeof path);
    if (fstat(fd, &info) == 0 && S_ISDIR(info.st_mode)) {
      if (mount("tmpfs", path, "tmpfs", MS_RDONLY, "size=0") < 0) fail("masking %s", e->value);
    } else if (mount("/dev/null", path, NULL, MS_BIND, NULL) < 0) {
      fail("masking %s", e->value);
    }
    close(fd);
  }
  if (spec_flag(spec, "readonly_rootfs")) remount_bind("/", MS_RDONLY, "the root filesystem read-only");
  close(root_fd);
}
