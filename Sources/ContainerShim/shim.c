// The per-container shim: `skiff-shim __shim` with the spec on fd 3 and a report pipe on fd 4.
// It detaches from the agent, clones the container init, then owns the container's stdio:
// output goes to the CRI log (and to attached clients, and to its own stdout/stderr when
// run in the foreground), input comes from attach clients or its own stdin. When the init
// exits it records the exit status in <bundle>/exit and exits, so the agent can restart
// at any time and find either a live shim or a final status.
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "skiff_terminal.h"
#include "crilog.h"
#include "init.h"
#include "util.h"

#define MAX_CLIENTS 16

struct shim {
  struct spec spec;
  const char *bundle;
  int foreground, tty;
  struct cri_log log;
  struct cri_stream out, err;
  int out_fd, err_fd, in_fd;  // our ends: container output, container input
  int epoll, signals, errors, listener, resize;
  int clients[MAX_CLIENTS];
  pid_t init;
  int created, exited, status, report;
};

static void bundle_path(const struct shim *shim, const char *name, char *out, size_t size) {
  snprintf(out, size, "%s/%s", shim->bundle, name);
}

static void watch(struct shim *shim, int fd) {
  struct epoll_event event = {.events = EPOLLIN, .data.fd = fd};
  epoll_ctl(shim->epoll, EPOLL_CTL_ADD, fd, &event);
}

static void unwatch(struct shim *shim, int fd) { epoll_ctl(shim->epoll, EPOLL_CTL_DEL, fd, NULL); }

static void report(struct shim *shim, const char *message) {
  if (shim->report < 0) return;
  write_all(shim->report, message, strlen(message));
  close(shim->report);
  shim->report = -1;
}

/// Frames output for attach clients: stream byte (1 stdout, 2 stderr), three zero bytes, u32 length.
static void broadcast(struct shim *shim, int stream, const char *data, size_t length) {
  unsigned char header[8] = {(unsigned char)stream, 0, 0, 0, (unsigned char)(length >> 24),
                             (unsigned char)(length >> 16), (unsigned char)(length >> 8), (unsigned char)length};
  for (int i = 0; i < MAX_CLIENTS; i++) {
    if (shim->clients[i] < 0) continue;
    if (send(shim->clients[i], header, 8, MSG_NOSIGNAL) != 8 ||
        send(shim->clients[i], data, length, MSG_NOSIGNAL) != (ssize_t)length) {
      unwatch(shim, shim->clients[i]);
      close(shim->clients[i]);
      shim->clients[i] = -1;
    }
  }
}

static int drain_output(struct shim *shim, int fd) {
  char buffer[65536];
  ssize_t n = read(fd, buffer, sizeof buffer);
  if (n < 0 && (errno == EINTR || errno == EAGAIN)) return 0;
  int is_err = fd == shim->err_fd;
  struct cri_stream *stream = is_err ? &shim->err : &shim->out;
  if (n <= 0) {  // EOF (or EIO on a pty whose last slave closed)
    cri_log_flush(&shim->log, stream);
    unwatch(shim, fd);
    close(fd);
    if (is_err) shim->err_fd = -1;
    else shim->out_fd = -1;
    return -1;
  }
  cri_log_write(&shim->log, stream, buffer, (size_t)n);
  if (shim->foreground) write_all(is_err ? 2 : 1, buffer, (size_t)n);
  broadcast(shim, is_err ? 2 : 1, buffer, (size_t)n);
  return 0;
}

static void forward_input(struct shim *shim, int fd) {
  char buffer[65536];
  ssize_t n = read(fd, buffer, sizeof buffer);
  if (n < 0 && (errno == EINTR || errno == EAGAIN)) return;
  if (n <= 0) {
    unwatch(shim, fd);
    if (fd != 0) {
      for (int i = 0; i < MAX_CLIENTS; i++) {
        if (shim->clients[i] == fd) shim->clients[i] = -1;
      }
      close(fd);
    }
    // Our own stdin closing (foreground, `ctr run` with a pipe) closes the container's stdin.
    if (fd == 0 && shim->in_fd >= 0 && !shim->tty) {
      close(shim->in_fd);
      shim->in_fd = -1;
    }
    return;
  }
  if (shim->in_fd >= 0) write_all(shim->in_fd, buffer, (size_t)n);
}

static void accept_client(struct shim *shim) {
  int fd = accept4(shim->listener, NULL, NULL, SOCK_CLOEXEC);
  if (fd < 0) return;
  for (int i = 0; i < MAX_CLIENTS; i++) {
    if (shim->clients[i] >= 0) continue;
    shim->clients[i] = fd;
    watch(shim, fd);
    return;
  }
  close(fd);
}

static void handle_resize(struct shim *shim) {
  char buffer[128];
  ssize_t n = read(shim->resize, buffer, sizeof buffer - 1);
  if (n <= 0) return;
  buffer[n] = 0;
  unsigned rows = 0, cols = 0;
  if (sscanf(buffer, "%u %u", &rows, &cols) == 2 && shim->tty) {
    skiff_set_winsize(shim->out_fd, (unsigned short)rows, (unsigned short)cols);
  }
}

static void handle_errors(struct shim *shim) {
  char buffer[4200];
  ssize_t n = read(shim->errors, buffer, sizeof buffer - 1);
  if (n < 0 && errno == EINTR) return;
  size_t at = 0;
  if (n > 0) buffer[n] = 0;
  if (n > 0 && buffer[0] == 'C') {
    shim->created = 1;
    char text[64];
    snprintf(text, sizeof text, "%d", shim->init);
    char path[4200];
    bundle_path(shim, "pid", path, sizeof path);
    write_file_atomic(path, text);
    snprintf(text, sizeof text, "ok %d\n", shim->init);
    report(shim, text);
    at = 1;
  }
  if (n > (ssize_t)at && buffer[at] == 'E') {
    char path[4200];
    bundle_path(shim, "error", path, sizeof path);
    write_file_atomic(path, buffer + at + 1);
    char text[4300];
    snprintf(text, sizeof text, "error %s\n", buffer + at + 1);
    report(shim, text);
  }
  if (n <= (ssize_t)at || n == 0) {
    if (n == 0) {
      unwatch(shim, shim->errors);
      close(shim->errors);
      shim->errors = -1;
    }
  }
}

static void handle_signals(struct shim *shim) {
  struct signalfd_siginfo info;
  while (read(shim->signals, &info, sizeof info) == sizeof info) {
    if (info.ssi_signo != SIGCHLD) {
      if (shim->init > 0 && !shim->exited) kill(shim->init, (int)info.ssi_signo);
      continue;
    }
  }
  int status;
  pid_t pid;
  while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
    if (pid != shim->init) continue;
    shim->exited = 1;
    shim->status = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  }
}

static void open_stdio(struct shim *shim, struct init_context *context) {
  int want_stdin = spec_flag(&shim->spec, "stdin");
  if (shim->tty) {
    int master, slave;
    if (skiff_openpty(&master, &slave) < 0) fail("opening a terminal for the container");
    shim->out_fd = master;
    shim->in_fd = dup(master);
    shim->err_fd = -1;
    context->stdin_fd = context->stdout_fd = context->stderr_fd = slave;
    return;
  }
  int out[2], err[2], in[2];
  if (pipe2(out, O_CLOEXEC) < 0 || pipe2(err, O_CLOEXEC) < 0) fail("creating stdio pipes");
  shim->out_fd = out[0];
  shim->err_fd = err[0];
  context->stdout_fd = out[1];
  context->stderr_fd = err[1];
  if (want_stdin) {
    if (pipe2(in, O_CLOEXEC) < 0) fail("creating stdin pipe");
    shim->in_fd = in[1];
    context->stdin_fd = in[0];
  } else {
    shim->in_fd = -1;
    context->stdin_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
  }
}

static void open_controls(struct shim *shim) {
  char path[4200];
  bundle_path(shim, "resize", path, sizeof path);
  mkfifo(path, 0600);
  shim->resize = open(path, O_RDWR | O_NONBLOCK | O_CLOEXEC);
  if (shim->resize >= 0) watch(shim, shim->resize);
  bundle_path(shim, "attach.sock", path, sizeof path);
  unlink(path);
  struct sockaddr_un address = {.sun_family = AF_UNIX};
  shim->listener = -1;
  if (strlen(path) >= sizeof address.sun_path) return;  // attach unavailable on very deep bundle paths
  strcpy(address.sun_path, path);
  shim->listener = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (bind(shim->listener, (struct sockaddr *)&address, sizeof address) < 0 || listen(shim->listener, 8) < 0) {
    close(shim->listener);
    shim->listener = -1;
    return;
  }
  chmod(path, 0600);
  watch(shim, shim->listener);
}

static void write_exit(struct shim *shim) {
  struct timespec now;
  clock_gettime(CLOCK_REALTIME, &now);
  char text[128], path[4200];
  snprintf(text, sizeof text, "%d %lld\n", shim->status, (long long)now.tv_sec * 1000000000LL + now.tv_nsec);
  bundle_path(shim, "exit", path, sizeof path);
  write_file_atomic(path, text);
  bundle_path(shim, "attach.sock", path, sizeof path);
  unlink(path);
}

int shim_main(void) {
  static struct shim shim;
  if (spec_read(3, &shim.spec) < 0) fail("reading the container spec from fd 3");
  close(3);
  int keep[] = {4};
  close_fds_from(5, keep, 1);  // nothing of the agent's (sockets, files) may outlive it in us
  shim.report = 4;
  shim.bundle = spec_str(&shim.spec, "bundle");
  if (!shim.bundle) fail_plain("spec has no bundle directory");
  shim.foreground = spec_flag(&shim.spec, "foreground");
  shim.tty = spec_flag(&shim.spec, "tty");
  for (int i = 0; i < MAX_CLIENTS; i++) shim.clients[i] = -1;
  for (int sig = 1; sig < NSIG; sig++) signal(sig, SIG_DFL);
  if (!shim.foreground) {
    pid_t child = fork();
    if (child < 0) fail("forking the shim");
    if (child > 0) _exit(0);
    setsid();
  }
  char path[4200], text[32];
  snprintf(text, sizeof text, "%d", getpid());
  bundle_path(&shim, "shim.pid", path, sizeof path);
  write_file_atomic(path, text);
  shim.log.path = spec_str(&shim.spec, "log");
  shim.log.max_size = spec_int(&shim.spec, "log_max_size", 0);
  shim.log.max_files = (int)spec_int(&shim.spec, "log_max_files", 1);
  shim.log.fd = -1;
  if (shim.log.path && cri_log_open(&shim.log) < 0) fail("opening log file %s", shim.log.path);
  shim.out.name = "stdout";
  shim.err.name = "stderr";
  struct init_context context = {.spec = &shim.spec, .tty = shim.tty};
  open_stdio(&shim, &context);
  int errors[2];
  if (pipe2(errors, O_CLOEXEC) < 0) fail("creating the init pipe");
  context.error_fd = errors[1];
  shim.errors = errors[0];
  sigset_t mask;
  sigemptyset(&mask);
  sigaddset(&mask, SIGCHLD);
  sigaddset(&mask, SIGTERM);
  sigaddset(&mask, SIGINT);
  sigaddset(&mask, SIGHUP);
  sigaddset(&mask, SIGQUIT);
  sigprocmask(SIG_BLOCK, &mask, NULL);
  shim.signals = signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);
  init_join_pid_namespace(&shim.spec);
  size_t stack_size = 256 * 1024;
  char *stack = malloc(stack_size);
  shim.init = clone(container_init, stack + stack_size, init_clone_flags(&shim.spec) | SIGCHLD, &context);
  if (shim.init < 0) fail("creating the container's namespaces");
  close(errors[1]);
  if (context.stdout_fd >= 0) close(context.stdout_fd);
  if (context.stderr_fd != context.stdout_fd && context.stderr_fd >= 0) close(context.stderr_fd);
  if (context.stdin_fd != context.stdout_fd && context.stdin_fd >= 0) close(context.stdin_fd);
  shim.epoll = epoll_create1(EPOLL_CLOEXEC);
  watch(&shim, shim.signals);
  watch(&shim, shim.errors);
  watch(&shim, shim.out_fd);
  if (shim.err_fd >= 0) watch(&shim, shim.err_fd);
  if (shim.foreground && spec_flag(&shim.spec, "stdin")) watch(&shim, 0);
  open_controls(&shim);
  // After the init exits, output still buffered in the pipes is drained, but a process that
  // escaped into a shared pid namespace holding the pipe open cannot keep the shim alive.
  long long drain_deadline = 0;
  for (;;) {
    if (shim.exited && shim.out_fd < 0 && shim.err_fd < 0) break;
    int timeout = -1;
    if (shim.exited) {
      struct timespec now;
      clock_gettime(CLOCK_MONOTONIC, &now);
      long long ms = now.tv_sec * 1000LL + now.tv_nsec / 1000000;
      if (!drain_deadline) drain_deadline = ms + 2000;
      if (ms >= drain_deadline) break;
      timeout = (int)(drain_deadline - ms);
    }
    struct epoll_event events[16];
    int n = epoll_wait(shim.epoll, events, 16, timeout);
    for (int i = 0; i < n; i++) {
      int fd = events[i].data.fd;
      if (fd == shim.signals) handle_signals(&shim);
      else if (fd == shim.errors) handle_errors(&shim);
      else if (fd == shim.out_fd || fd == shim.err_fd) drain_output(&shim, fd);
      else if (fd == shim.listener) accept_client(&shim);
      else if (fd == shim.resize) handle_resize(&shim);
      else forward_input(&shim, fd);
    }
  }
  if (shim.out_fd >= 0) cri_log_flush(&shim.log, &shim.out);
  if (shim.err_fd >= 0) cri_log_flush(&shim.log, &shim.err);
  if (!shim.created) {
    // Init died before reporting (e.g. killed); the errors pipe normally says why.
    handle_errors(&shim);
    report(&shim, "error the container init exited before it was set up\n");
  }
  write_exit(&shim);
  _exit(0);
}
