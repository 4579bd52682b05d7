// The container spec as the Swift side encodes it: length-prefixed key/value records
// (u32 little-endian key length, key, u32 value length, value), read from an inherited fd.
#ifndef SKIFF_SPEC_H
#define SKIFF_SPEC_H

#include <stddef.h>
#include <stdint.h>

struct spec_entry {
  const char *key;
  const char *value;  // NUL-terminated copy; `length` gives the byte length (values may hold NULs)
  size_t length;
};

struct spec {
  struct spec_entry *entries;
  size_t count;
};

/// Reads the whole fd and parses it; returns 0 or -1 (errno set).
int spec_read(int fd, struct spec *out);
/// The first value for `key`, or NULL.
const struct spec_entry *spec_get(const struct spec *spec, const char *key);
const char *spec_str(const struct spec *spec, const char *key);
/// True when the key is present with value "1".
int spec_flag(const struct spec *spec, const char *key);
long long spec_int(const struct spec *spec, const char *key, long long fallback);
/// Iterates over every entry with `key`: pass the previous result (or NULL to start).
const struct spec_entry *spec_next(const struct spec *spec, const char *key, const struct spec_entry *previous);
size_t spec_count(const struct spec *spec, const char *key);
/// Splits a value holding NUL-separated fields; returns the number of fields (at most max).
size_t spec_fields(const struct spec_entry *entry, const char **fields, size_t max);

#endif
