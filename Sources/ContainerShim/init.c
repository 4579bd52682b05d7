#include "init.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <unistd.h>

#include "rootfs.h"
#include "util.h"

static const struct {
  const char *name;
  int flag;
} namespaces[] = {{"ipc", CLONE_NEWIPC}, {"uts", CLONE_NEWUTS}, {"net", CLONE_NEWNET}, {"pid", CLONE_NEWPID}};

int init_clone_flags(const struct spec *spec) {
  int flags = CLONE_NEWNS;
  for (size_t i = 0; i < sizeof namespaces / sizeof *namespaces; i++) {
    char key[16];
    snprintf(key, sizeof key, "ns_%s", namespaces[i].name);
    const char *value = spec_str(spec, key);
    if (value && strcmp(value, "new") == 0) flags |= namespaces[i].flag;
  }
  return flags;
}

static void join_namespace(const char *path, int flag, const char *name) {
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) fail("opening the pod's %s namespace %s", name, path);
  if (setns(fd, flag) < 0) fail("joining the pod's %s namespace", name);
  close(fd);
}

void init_join_pid_namespace(const struct spec *spec) {
  const char *value = spec_str(spec, "ns_pid");
  if (value && value[0] == '/') join_namespace(value, CLONE_NEWPID, "pid");
}

static void reset_signals(void) {
  sigset_t none;
  sigemptyset(&none);
  sigprocmask(SIG_SETMASK, &none, NULL);
  for (int sig = 1; sig < NSIG; sig++) signal(sig, SIG_DFL);
}

static void set_rlimits(const struct spec *spec) {
  for (const struct spec_entry *e = spec_next(spec, "rlimit", NULL); e; e = spec_next(spec, "rlimit", e)) {
    const char *f[3];
    if (spec_fields(e, f, 3) < 3) fail_plain("malformed rlimit entry");
    struct rlimit limit = {.rlim_cur = strtoull(f[1], NULL, 10), .rlim_max = strtoull(f[2], NULL, 10)};
    if (setrlimit(atoi(f[0]), &limit) < 0) fail("setting rlimit %s", f[0]);
  }
}

/// Blocks until `start` opens the FIFO, then leaves the write end open: it is close-on-exec,
/// so `start` sees end-of-file exactly when the user's command has replaced this init.
static void wait_for_start(int fifo_path_fd) {
  char path[64];
  snprintf(path, sizeof path, "/proc/self/fd/%d", fifo_path_fd);
  int fd = open(path, O_WRONLY | O_CLOEXEC);
  if (fd < 0) fail("opening the start FIFO");
  if (write_all(fd, "0", 1) < 0) fail("writing the start FIFO");
  close(fifo_path_fd);
}

int container_init(void *argument) {
  struct init_context *context = argument;
  const struct spec *spec = context->spec;
  util_error_fd = context->error_fd;
  reset_signals();
  setsid();
  if (context->tty && ioctl(context->stdin_fd, TIOCSCTTY, 0) < 0) fail("making the terminal controlling");
  if (dup2(context->stdin_fd, 0) < 0 || dup2(context->stdout_fd, 1) < 0 || dup2(context->stderr_fd, 2) < 0) {
    fail("setting up stdio");
  }
  int keep[] = {context->error_fd};
  close_fds_from(3, keep, 1);
  join_cgroups(spec);
  for (size_t i = 0; i < sizeof namespaces / sizeof *namespaces; i++) {
    char key[16];
    snprintf(key, sizeof key, "ns_%s", namespaces[i].name);
    const char *value = spec_str(spec, key);
    if (value && value[0] == '/' && namespaces[i].flag != CLONE_NEWPID) {
      join_namespace(value, namespaces[i].flag, namespaces[i].name);
    }
  }
  const char *cgroupns = spec_str(spec, "ns_cgroup");
  if (cgroupns && strcmp(cgroupns, "new") == 0 && unshare(CLONE_NEWCGROUP) < 0) fail("creating a cgroup namespace");
  if (spec_flag(spec, "loopback_up")) bring_loopback_up();
  const char *hostname = spec_str(spec, "hostname");
  if (hostname && sethostname(hostname, strlen(hostname)) < 0) fail("setting hostname %s", hostname);
  const char *fifo = spec_str(spec, "start_fifo");
  int fifo_fd = fifo ? open(fifo, O_PATH | O_CLOEXEC) : -1;
  if (fifo && fifo_fd < 0) fail("opening start FIFO %s", fifo);
  rootfs_prepare(spec);
  const char *cwd = spec_str(spec, "cwd");
  if (cwd && mkdir_p(cwd, 0755) < 0 && errno != EROFS) fail("creating working directory %s", cwd);
  rootfs_finish(spec);
  set_rlimits(spec);
  const char *oom = spec_str(spec, "oom_score_adj");
  if (oom && write_file("/proc/self/oom_score_adj", oom) < 0) fail("setting oom_score_adj");
  char *path = resolve_executable(spec);
  if (write_all(context->error_fd, "C", 1) < 0) _exit(127);
  if (fifo_fd >= 0) wait_for_start(fifo_fd);
  finalize_and_exec(spec, path);
}
