// The pod sandbox: `skiff-shim __sandbox` with the spec on fd 3 and a report pipe on fd 4.
// It clones a pause process into new network, IPC and UTS namespaces (and a pid namespace
// when the pod shares one), reports its pid, and exits; the pause process holds the
// namespaces for the pod's containers, reaps zombies and exits on SIGTERM.
#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "util.h"

static void reap(int sig) {
  (void)sig;
  while (waitpid(-1, NULL, WNOHANG) > 0) {}
}

static void quit(int sig) {
  (void)sig;
  _exit(0);
}

static int pause_main(void *argument) {
  const struct spec *spec = argument;
  int keep[] = {4};
  close_fds_from(3, keep, 1);
  for (int sig = 1; sig < NSIG; sig++) signal(sig, SIG_DFL);
  sigset_t none;
  sigemptyset(&none);
  sigprocmask(SIG_SETMASK, &none, NULL);
  const char *hostname = spec_str(spec, "hostname");
  if (hostname && sethostname(hostname, strlen(hostname)) < 0) fail("setting hostname %s", hostname);
  bring_loopback_up();
  join_cgroups(spec);
  prctl(PR_SET_NAME, "skiff-pause", 0, 0, 0);
  struct sigaction action = {.sa_handler = reap, .sa_flags = SA_NOCLDSTOP | SA_RESTART};
  sigaction(SIGCHLD, &action, NULL);
  action.sa_handler = quit;
  action.sa_flags = 0;
  sigaction(SIGTERM, &action, NULL);
  sigaction(SIGINT, &action, NULL);
  if (write_all(4, "R", 1) < 0) _exit(1);
  close(4);
  for (;;) pause();
}

int sandbox_main(void) {
  static struct spec spec;
  if (spec_read(3, &spec) < 0) fail("reading the sandbox spec from fd 3");
  close(3);
  int keep[] = {4};
  close_fds_from(5, keep, 1);
  int flags = CLONE_NEWNET | CLONE_NEWIPC | CLONE_NEWUTS;
  if (spec_flag(&spec, "share_pid")) flags |= CLONE_NEWPID;
  if (spec_flag(&spec, "host_network")) flags &= ~CLONE_NEWNET;
  int report = 4;
  int ready[2];
  if (pipe(ready) < 0) fail("creating a pipe");
  // The pause process signals readiness on fd 4 of its own; ours stays the agent's pipe.
  int agent = dup(report);
  dup2(ready[1], 4);
  close(ready[1]);
  size_t stack_size = 64 * 1024;
  char *stack = malloc(stack_size);
  setsid();
  pid_t pid = clone(pause_main, stack + stack_size, flags | SIGCHLD, &spec);
  close(4);
  char text[64];
  if (pid < 0) {
    snprintf(text, sizeof text, "error creating the pod's namespaces: %s\n", strerror(errno));
  } else {
    char byte;
    if (read(ready[0], &byte, 1) == 1) {
      snprintf(text, sizeof text, "ok %d\n", pid);
    } else {
      snprintf(text, sizeof text, "error the pause process failed to start\n");
    }
  }
  write_all(agent, text, strlen(text));
  _exit(0);
}
