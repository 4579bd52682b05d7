// skiff-shim: the container runtime's C processes in one small executable of their own.
// `skiff-shim __shim` owns a running container, `__sandbox` holds a pod's namespaces and
// `__exec` runs a process in a container. Each is single-threaded C with no Swift runtime:
// the container init runs between clone and exec, where only async-signal-safe code is
// allowed, and a shim stays around for every running container, so its memory counts per
// container (about 1 MB resident here, against 5 MB when it was a mode of the skiff binary).
// The skiff binary carries this executable (Plugins/ShimImage) and writes it to the
// runtime's directory before the first container starts.
#include <stdio.h>
#include <string.h>

int shim_main(void);
int sandbox_main(void);
int exec_main(void);

int main(int argc, char **argv) {
  if (argc == 2 && strcmp(argv[1], "__shim") == 0) return shim_main();
  if (argc == 2 && strcmp(argv[1], "__sandbox") == 0) return sandbox_main();
  if (argc == 2 && strcmp(argv[1], "__exec") == 0) return exec_main();
  fprintf(stderr, "skiff-shim is started by skiff's container runtime: usage: skiff-shim __shim|__sandbox|__exec\n");
  return 2;
}
