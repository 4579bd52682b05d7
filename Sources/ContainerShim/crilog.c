#include "crilog.h"

#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "util.h"

int cri_log_open(struct cri_log *log) {
  log->fd = open(log->path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0640);
  if (log->fd < 0) return -1;
  struct stat info;
  log->size = fstat(log->fd, &info) == 0 ? info.st_size : 0;
  return 0;
}

static void rotate(struct cri_log *log) {
  char from[4200], to[4200];
  for (int i = log->max_files - 1; i >= 1; i--) {
    if (i == 1) {
      snprintf(from, sizeof from, "%s", log->path);
    } else {
      snprintf(from, sizeof from, "%s.%d", log->path, i - 1);
    }
    snprintf(to, sizeof to, "%s.%d", log->path, i);
    rename(from, to);
  }
  if (log->max_files <= 1) {
    if (ftruncate(log->fd, 0) == 0) log->size = 0;
    return;
  }
  close(log->fd);
  cri_log_open(log);
}

static void emit(struct cri_log *log, const char *stream, char tag, const char *text, size_t length) {
  if (log->fd < 0) return;
  struct timespec now;
  clock_gettime(CLOCK_REALTIME, &now);
  struct tm parts;
  gmtime_r(&now.tv_sec, &parts);
  char header[96];
  size_t used = strftime(header, sizeof header, "%Y-%m-%dT%H:%M:%S", &parts);
  used += (size_t)snprintf(header + used, sizeof header - used, ".%09ldZ %s %c ", now.tv_nsec, stream, tag);
  char record[CRI_LINE_MAX + 128];
  memcpy(record, header, used);
  memcpy(record + used, text, length);
  record[used + length] = '\n';
  size_t total = used + length + 1;
  if (write_all(log->fd, record, total) == 0) log->size += (long long)total;
  if (log->max_size > 0 && log->size >= log->max_size) rotate(log);
}

void cri_log_write(struct cri_log *log, struct cri_stream *stream, const char *data, size_t length) {
  while (length > 0) {
    const char *newline = memchr(data, '\n', length);
    size_t chunk = newline ? (size_t)(newline - data) : length;
    size_t room = CRI_LINE_MAX - stream->length;
    if (chunk > room) chunk = room;
    memcpy(stream->pending + stream->length, data, chunk);
    stream->length += chunk;
    data += chunk;
    length -= chunk;
    if (length > 0 && *data == '\n' && stream->length <= CRI_LINE_MAX) {
      emit(log, stream->name, 'F', stream->pending, stream->length);
      stream->length = 0;
      data++;
      length--;
    } else if (stream->length == CRI_LINE_MAX) {
      emit(log, stream->name, 'P', stream->pending, stream->length);
      stream->length = 0;
    }
  }
}

void cri_log_flush(struct cri_log *log, struct cri_stream *stream) {
  if (stream->length == 0) return;
  emit(log, stream->name, 'F', stream->pending, stream->length);
  stream->length = 0;
}
