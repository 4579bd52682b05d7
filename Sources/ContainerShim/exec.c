// `skiff-shim __exec` with the spec on fd 3: runs a process inside a running container, in the
// same namespaces, cgroup, user, capabilities and seccomp filter. The caller's stdio (pipes
// or a pty slave) is the process's stdio; our exit status is the process's.
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "util.h"

static pid_t child_pid;

static void forward(int sig) {
  if (child_pid > 0) kill(child_pid, sig);
}

static const struct {
  const char *name;
  int flag;
} order[] = {{"cgroup", CLONE_NEWCGROUP}, {"ipc", CLONE_NEWIPC}, {"uts", CLONE_NEWUTS},
             {"net", CLONE_NEWNET},       {"pid", CLONE_NEWPID}, {"mnt", CLONE_NEWNS}};

int exec_main(void) {
  static struct spec spec;
  if (spec_read(3, &spec) < 0) fail("reading the exec spec from fd 3");
  close(3);
  int none[] = {-1};
  close_fds_from(3, none, 0);
  long long target = spec_int(&spec, "pid", 0);
  if (target <= 0) fail_plain("exec spec has no container pid");
  int fds[6];
  for (int i = 0; i < 6; i++) {
    char path[64], own[64];
    snprintf(path, sizeof path, "/proc/%lld/ns/%s", target, order[i].name);
    snprintf(own, sizeof own, "/proc/self/ns/%s", order[i].name);
    struct stat theirs, ours;
    fds[i] = -1;
    if (stat(path, &theirs) < 0) fail("the container's process %lld is gone", target);
    if (stat(own, &ours) == 0 && ours.st_ino == theirs.st_ino && ours.st_dev == theirs.st_dev) continue;
    fds[i] = open(path, O_RDONLY | O_CLOEXEC);
    if (fds[i] < 0) fail("opening %s", path);
  }
  join_cgroups(&spec);
  for (int i = 0; i < 6; i++) {
    if (fds[i] >= 0 && setns(fds[i], order[i].flag) < 0) fail("joining the container's %s namespace", order[i].name);
    if (fds[i] >= 0) close(fds[i]);
  }
  int tty = spec_flag(&spec, "tty");
  child_pid = fork();
  if (child_pid < 0) fail("forking into the container");
  if (child_pid == 0) {
    setsid();
    if (tty && ioctl(0, TIOCSCTTY, 0) < 0) fail("making the terminal controlling");
    char *path = resolve_executable(&spec);
    finalize_and_exec(&spec, path);
  }
  int signals[] = {SIGTERM, SIGINT, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2, SIGWINCH};
  for (size_t i = 0; i < sizeof signals / sizeof *signals; i++) signal(signals[i], forward);
  int status;
  while (waitpid(child_pid, &status, 0) < 0) {
    if (errno != EINTR) fail("waiting for the exec'd process");
  }
  _exit(WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status));
}
