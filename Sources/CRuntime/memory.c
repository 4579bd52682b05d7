#include <errno.h>
#include <fcntl.h>
#include <malloc.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "CRuntime.h"

int skiff_set_malloc_arenas(int count) { return mallopt(M_ARENA_MAX, count); }

int skiff_trim_heap(void) { return malloc_trim(0); }

long skiff_page_out_executable(void) {
  char exe[4096];
  ssize_t length = readlink("/proc/self/exe", exe, sizeof exe - 1);
  if (length < 0) return -errno;
  exe[length] = '\0';
  FILE *maps = fopen("/proc/self/maps", "re");
  if (maps == NULL) return -errno;
  char line[4096 + 128];
  long advised = 0;
  while (fgets(line, sizeof line, maps) != NULL) {
    unsigned long start, end;
    int path = 0;
    if (sscanf(line, "%lx-%lx %*s %*s %*s %*s %n", &start, &end, &path) < 2 || path == 0) continue;
    char *name = line + path;
    name[strcspn(name, "\n")] = '\0';
    if (strcmp(name, exe) != 0) continue;
    // Random: a page faulted back in later is read alone, not with a readahead window.
    if (madvise((void *)start, end - start, MADV_RANDOM) != 0 ||
        madvise((void *)start, end - start, MADV_PAGEOUT) != 0) {
      int error = errno;
      fclose(maps);
      return -error;
    }
    advised += (long)(end - start);
  }
  fclose(maps);
  // The page cache still holds the pages no one maps (all of them, after an install read the
  // file), and each fault maps the cached pages around it too: drop those, so that a fault
  // brings back the page that was touched and only it.
  int fd = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);
  if (fd < 0) return -errno;
  int error = posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED);
  close(fd);
  return error == 0 ? advised : -error;
}
