// Terminal calls shared by the Swift side (kubectl exec -t, attach) and the container shim,
// which compiles this file into its own executable.
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <unistd.h>

#include "skiff_terminal.h"

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
