// Pseudo-terminal calls, shared by the Swift side and the container shim.
#ifndef SKIFF_TERMINAL_H
#define SKIFF_TERMINAL_H

#include <stddef.h>

/// Opens a new pseudo-terminal pair; returns 0 and the master/slave fds, or -errno.
int skiff_openpty(int *master, int *slave);

/// Sets a terminal's window size; returns 0 or -errno.
int skiff_set_winsize(int fd, unsigned short rows, unsigned short cols);

/// Reads a terminal's window size; returns 0 or -errno.
int skiff_get_winsize(int fd, unsigned short *rows, unsigned short *cols);

/// Puts a terminal in raw mode, saving its settings in an opaque buffer of 128 bytes; restore undoes it.
int skiff_tty_raw(int fd, void *saved, size_t size);
int skiff_tty_restore(int fd, const void *saved, size_t size);

#endif
