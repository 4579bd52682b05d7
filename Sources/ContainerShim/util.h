// Small helpers shared by the shim, the container init, exec and the sandbox.
// Everything here runs in the single-threaded processes of the skiff-shim executable.
#ifndef SKIFF_UTIL_H
#define SKIFF_UTIL_H

#include <stddef.h>
#include <sys/types.h>

#include "spec.h"

/// Where `fail` reports: an fd whose reader shows the message to the user (-1: stderr).
extern int util_error_fd;

/// Writes "E<message>: <strerror(errno)>" to util_error_fd and exits 127. Never returns.
__attribute__((noreturn, format(printf, 1, 2))) void fail(const char *format, ...);
/// Same without errno.
__attribute__((noreturn, format(printf, 1, 2))) void fail_plain(const char *format, ...);

int write_all(int fd, const void *data, size_t length);
int write_file(const char *path, const char *data);
/// Writes a file through a temporary name and rename, so readers never see half of it.
int write_file_atomic(const char *path, const char *data);
int mkdir_p(const char *path, mode_t mode);
/// Closes every fd >= lowest except those listed.
void close_fds_from(int lowest, const int *keep, int keep_count);

/// Applies the user, groups, capabilities, no_new_privs, seccomp and working directory from
/// the spec, then execs `path` with the spec's args and env. Used by the init and by exec.
__attribute__((noreturn)) void finalize_and_exec(const struct spec *spec, const char *path);
/// Resolves args[0] against PATH from the spec's env (as execvp would, but reporting errors
/// before the container starts). Returns a malloc'd path or calls fail.
char *resolve_executable(const struct spec *spec);
/// Loads a BPF program (array of struct sock_filter) as the seccomp filter.
int load_seccomp(const void *program, size_t length);
/// Joins cgroups by writing 0 to every `cgroup_procs` path in the spec.
void join_cgroups(const struct spec *spec);
void bring_loopback_up(void);

#endif
