// Container output in the CRI log format the kubelet reads:
// `<RFC3339 time with nanoseconds> <stdout|stderr> <F|P> <text>\n`, rotated by size.
#ifndef SKIFF_CRILOG_H
#define SKIFF_CRILOG_H

#include <stddef.h>
#include <sys/types.h>

/// Longest line written as one record; longer lines are split into P(artial) records.
#define CRI_LINE_MAX 16384

struct cri_log {
  int fd;
  const char *path;
  long long max_size;  // 0: never rotate
  int max_files;       // files kept including the current one
  long long size;
};

struct cri_stream {
  const char *name;
  char pending[CRI_LINE_MAX];
  size_t length;
};

int cri_log_open(struct cri_log *log);
/// Appends output of one stream; complete lines become F records, over-long ones P records.
void cri_log_write(struct cri_log *log, struct cri_stream *stream, const char *data, size_t length);
/// Writes what is left of a stream at EOF.
void cri_log_flush(struct cri_log *log, struct cri_stream *stream);

#endif
