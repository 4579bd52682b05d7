#include "util.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <linux/capability.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <net/if.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

int util_error_fd = -1;

static void report(const char *message) {
  int fd = util_error_fd >= 0 ? util_error_fd : 2;
  char line[4200];
  int n = snprintf(line, sizeof line, "%s%s", util_error_fd >= 0 ? "E" : "skiff: ", message);
  if (n > (int)sizeof line - 1) n = sizeof line - 1;
  if (util_error_fd < 0) line[n++] = '\n';
  write_all(fd, line, (size_t)n);
}

void fail(const char *format, ...) {
  int saved = errno;
  char message[4096];
  va_list args;
  va_start(args, format);
  int n = vsnprintf(message, sizeof message, format, args);
  va_end(args);
  if (n >= 0 && n < (int)sizeof message) snprintf(message + n, sizeof message - n, ": %s", strerror(saved));
  report(message);
  _exit(127);
}

void fail_plain(const char *format, ...) {
  char message[4096];
  va_list args;
  va_start(args, format);
  vsnprintf(message, sizeof message, format, args);
  va_end(args);
  report(message);
  _exit(127);
}

int write_all(int fd, const void *data, size_t length) {
  const char *p = data;
  while (length > 0) {
    ssize_t n = write(fd, p, length);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return -1;
    p += n;
    length -= (size_t)n;
  }
  return 0;
}

int write_file(const char *path, const char *data) {
  int fd = open(path, O_WRONLY | O_CLOEXEC);
  if (fd < 0) return -1;
  int rc = write_all(fd, data, strlen(data));
  int saved = errno;
  close(fd);
  errno = saved;
  return rc;
}

int write_file_atomic(const char *path, const char *data) {
  char temp[4200];
  snprintf(temp, sizeof temp, "%s.tmp", path);
  int fd = open(temp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return -1;
  if (write_all(fd, data, strlen(data)) < 0) {
    close(fd);
    return -1;
  }
  close(fd);
  return rename(temp, path);
}

int mkdir_p(const char *path, mode_t mode) {
  char buffer[4096];
  size_t length = strlen(path);
  if (length >= sizeof buffer) {
    errno = ENAMETOOLONG;
    return -1;
  }
  memcpy(buffer, path, length + 1);
  for (char *p = buffer + 1; *p; p++) {
    if (*p != '/') continue;
    *p = 0;
    if (mkdir(buffer, mode) < 0 && errno != EEXIST) return -1;
    *p = '/';
  }
  if (mkdir(buffer, mode) < 0 && errno != EEXIST) return -1;
  return 0;
}

void close_fds_from(int lowest, const int *keep, int keep_count) {
  DIR *dir = opendir("/proc/self/fd");
  if (!dir) return;
  int own = dirfd(dir);
  struct dirent *entry;
  int fds[1024], count = 0;
  while ((entry = readdir(dir)) && count < 1024) {
    int fd = atoi(entry->d_name);
    if (entry->d_name[0] == '.' || fd < lowest || fd == own) continue;
    int kept = 0;
    for (int i = 0; i < keep_count; i++) kept |= keep[i] == fd;
    if (!kept) fds[count++] = fd;
  }
  closedir(dir);
  for (int i = 0; i < count; i++) close(fds[i]);
}

int load_seccomp(const void *program, size_t length) {
  struct sock_fprog prog = {.len = (unsigned short)(length / sizeof(struct sock_filter)),
                            .filter = (struct sock_filter *)program};
  return prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog, 0, 0);
}

void join_cgroups(const struct spec *spec) {
  for (const struct spec_entry *e = spec_next(spec, "cgroup_procs", NULL); e; e = spec_next(spec, "cgroup_procs", e)) {
    if (write_file(e->value, "0") < 0) fail("joining cgroup %s", e->value);
  }
}

void bring_loopback_up(void) {
  int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return;
  struct ifreq request;
  memset(&request, 0, sizeof request);
  strcpy(request.ifr_name, "lo");
  if (ioctl(fd, SIOCGIFFLAGS, &request) == 0) {
    request.ifr_flags |= IFF_UP;
    ioctl(fd, SIOCSIFFLAGS, &request);
  }
  close(fd);
}

static const char *env_path(const struct spec *spec) {
  for (const struct spec_entry *e = spec_next(spec, "env", NULL); e; e = spec_next(spec, "env", e)) {
    if (strncmp(e->value, "PATH=", 5) == 0) return e->value + 5;
  }
  return "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
}

static int is_executable_file(const char *path) {
  struct stat info;
  return stat(path, &info) == 0 && S_ISREG(info.st_mode) && access(path, X_OK) == 0;
}

char *resolve_executable(const struct spec *spec) {
  const char *command = spec_str(spec, "arg");
  if (!command || !*command) fail_plain("no command given: the image has no ENTRYPOINT or CMD");
  if (strchr(command, '/')) {
    struct stat info;
    if (stat(command, &info) < 0) fail("exec: \"%s\": stat %s", command, command);
    if (!S_ISREG(info.st_mode) || access(command, X_OK) < 0) fail_plain("exec: \"%s\": permission denied", command);
    return strdup(command);
  }
  const char *path = env_path(spec);
  char candidate[4096];
  while (*path) {
    const char *end = strchr(path, ':');
    size_t length = end ? (size_t)(end - path) : strlen(path);
    snprintf(candidate, sizeof candidate, "%.*s/%s", (int)length, length ? path : ".", command);
    if (is_executable_file(candidate)) return strdup(candidate);
    path += length + (end ? 1 : 0);
  }
  fail_plain("exec: \"%s\": executable file not found in $PATH", command);
}

static void set_capabilities(const struct spec *spec) {
  unsigned long long bounding = (unsigned long long)spec_int(spec, "cap_bounding", 0);
  unsigned long long effective = (unsigned long long)spec_int(spec, "cap_effective", 0);
  unsigned long long permitted = (unsigned long long)spec_int(spec, "cap_permitted", 0);
  unsigned long long inheritable = (unsigned long long)spec_int(spec, "cap_inheritable", 0);
  unsigned long long ambient = (unsigned long long)spec_int(spec, "cap_ambient", 0);
  struct __user_cap_header_struct header = {.version = _LINUX_CAPABILITY_VERSION_3, .pid = 0};
  struct __user_cap_data_struct data[2];
  data[0].effective = (uint32_t)effective;
  data[1].effective = (uint32_t)(effective >> 32);
  data[0].permitted = (uint32_t)permitted;
  data[1].permitted = (uint32_t)(permitted >> 32);
  data[0].inheritable = (uint32_t)inheritable;
  data[1].inheritable = (uint32_t)(inheritable >> 32);
  if (syscall(SYS_capset, &header, data) < 0) fail("setting capabilities");
  for (int cap = 0; cap < 64; cap++) {
    if (!(ambient & (1ULL << cap))) continue;
    if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, cap, 0, 0) < 0) fail("raising ambient capability %d", cap);
  }
  (void)bounding;
}

static void drop_bounding(const struct spec *spec) {
  unsigned long long bounding = (unsigned long long)spec_int(spec, "cap_bounding", 0);
  for (int cap = 0; cap < 64; cap++) {
    if (bounding & (1ULL << cap)) continue;
    if (prctl(PR_CAPBSET_READ, cap, 0, 0, 0) <= 0) continue;  // unknown to this kernel or already gone
    if (prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) < 0) fail("dropping capability %d from the bounding set", cap);
  }
}

static void set_user(const struct spec *spec) {
  uid_t uid = (uid_t)spec_int(spec, "uid", 0);
  gid_t gid = (gid_t)spec_int(spec, "gid", 0);
  gid_t groups[256];
  size_t count = 0;
  for (const struct spec_entry *e = spec_next(spec, "group", NULL); e && count < 256; e = spec_next(spec, "group", e)) {
    groups[count++] = (gid_t)strtoul(e->value, NULL, 10);
  }
  if (setgroups(count, groups) < 0) fail("setting supplementary groups");
  if (prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) < 0) fail("keeping capabilities across setuid");
  if (setresgid(gid, gid, gid) < 0) fail("setting group id %u", gid);
  if (setresuid(uid, uid, uid) < 0) fail("setting user id %u", uid);
  prctl(PR_SET_KEEPCAPS, 0, 0, 0, 0);
}

void finalize_and_exec(const struct spec *spec, const char *path) {
  const struct spec_entry *seccomp = spec_get(spec, "seccomp");
  int no_new_privs = spec_flag(spec, "no_new_privs");
  // Without no_new_privs the filter needs CAP_SYS_ADMIN to load, so it goes in before the
  // capabilities are dropped (as runc does); with it, as late as possible.
  if (seccomp && !no_new_privs && load_seccomp(seccomp->value, seccomp->length) < 0) fail("loading seccomp filter");
  drop_bounding(spec);
  set_user(spec);
  set_capabilities(spec);
  if (no_new_privs && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0) fail("setting no_new_privs");
  const char *cwd = spec_str(spec, "cwd");
  if (cwd && chdir(cwd) < 0) fail("changing to working directory %s", cwd);
  size_t argc = spec_count(spec, "arg"), envc = spec_count(spec, "env");
  char **argv = calloc(argc + 1, sizeof *argv), **envp = calloc(envc + 1, sizeof *envp);
  size_t i = 0;
  for (const struct spec_entry *e = spec_next(spec, "arg", NULL); e; e = spec_next(spec, "arg", e)) {
    argv[i++] = (char *)e->value;
  }
  i = 0;
  for (const struct spec_entry *e = spec_next(spec, "env", NULL); e; e = spec_next(spec, "env", e)) {
    envp[i++] = (char *)e->value;
  }
  if (seccomp && no_new_privs && load_seccomp(seccomp->value, seccomp->length) < 0) fail("loading seccomp filter");
  execve(path, argv, envp);
  fail("exec: \"%s\"", argv[0]);
}
