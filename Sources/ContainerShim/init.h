// The container's first process, cloned by the shim into new namespaces. It sets up the
// rootfs, reports "C" (created) on the error pipe, blocks on the bundle's start FIFO, then
// drops privileges and execs the user's command. Failures go back on the same pipe as
// "E<message>"; the pipe closes on a successful exec.
#ifndef SKIFF_INIT_H
#define SKIFF_INIT_H

#include "spec.h"

struct init_context {
  const struct spec *spec;
  int stdin_fd, stdout_fd, stderr_fd;  // container ends; the same pty slave when tty
  int error_fd;
  int tty;
};

/// clone() entry point.
int container_init(void *context);
/// Clone flags for the namespaces the spec asks to create.
int init_clone_flags(const struct spec *spec);
/// Joins the pid namespace named by the spec (for children of the caller) before clone.
void init_join_pid_namespace(const struct spec *spec);

#endif
