#include "spec.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static uint32_t read_u32(const unsigned char *p) {
  return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) | ((uint32_t)p[3] << 24);
}

int spec_read(int fd, struct spec *out) {
  size_t capacity = 65536, size = 0;
  unsigned char *buffer = malloc(capacity);
  if (!buffer) return -1;
  for (;;) {
    if (size == capacity) {
      capacity *= 2;
      unsigned char *grown = realloc(buffer, capacity);
      if (!grown) return -1;
      buffer = grown;
    }
    ssize_t n = read(fd, buffer + size, capacity - size);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return -1;
    if (n == 0) break;
    size += (size_t)n;
  }
  size_t slots = 64, count = 0;
  struct spec_entry *entries = malloc(slots * sizeof *entries);
  if (!entries) return -1;
  size_t at = 0;
  while (at + 4 <= size) {
    const char *parts[2];
    size_t lengths[2];
    for (int i = 0; i < 2; i++) {
      if (at + 4 > size) goto bad;
      uint32_t length = read_u32(buffer + at);
      at += 4;
      if (length > size - at) goto bad;
      char *copy = malloc(length + 1);
      if (!copy) return -1;
      memcpy(copy, buffer + at, length);
      copy[length] = 0;
      parts[i] = copy;
      lengths[i] = length;
      at += length;
    }
    if (count == slots) {
      slots *= 2;
      struct spec_entry *grown = realloc(entries, slots * sizeof *entries);
      if (!grown) return -1;
      entries = grown;
    }
    entries[count++] = (struct spec_entry){parts[0], parts[1], lengths[1]};
  }
  free(buffer);
  out->entries = entries;
  out->count = count;
  return 0;
bad:
  errno = EINVAL;
  return -1;
}

const struct spec_entry *spec_next(const struct spec *spec, const char *key, const struct spec_entry *previous) {
  size_t start = previous ? (size_t)(previous - spec->entries) + 1 : 0;
  for (size_t i = start; i < spec->count; i++) {
    if (strcmp(spec->entries[i].key, key) == 0) return &spec->entries[i];
  }
  return NULL;
}

const struct spec_entry *spec_get(const struct spec *spec, const char *key) { return spec_next(spec, key, NULL); }

const char *spec_str(const struct spec *spec, const char *key) {
  const struct spec_entry *entry = spec_get(spec, key);
  return entry ? entry->value : NULL;
}

int spec_flag(const struct spec *spec, const char *key) {
  const char *value = spec_str(spec, key);
  return value && strcmp(value, "1") == 0;
}

long long spec_int(const struct spec *spec, const char *key, long long fallback) {
  const char *value = spec_str(spec, key);
  return value ? strtoll(value, NULL, 10) : fallback;
}

size_t spec_count(const struct spec *spec, const char *key) {
  size_t count = 0;
  for (const struct spec_entry *e = spec_next(spec, key, NULL); e; e = spec_next(spec, key, e)) count++;
  return count;
}

size_t spec_fields(const struct spec_entry *entry, const char **fields, size_t max) {
  size_t count = 0, at = 0;
  while (count < max && at <= entry->length) {
    fields[count++] = entry->value + at;
    at += strlen(entry->value + at) + 1;
  }
  return count;
}
