/* Shared by the libFuzzer harnesses tests/fuzz/fuzz_<entry>.c: the entry point's
 * prototype, the data directory (ENTOPIC_DATA, else the current directory: `make fuzz` runs
 * from the repository root) and a scratch file for the entry points that read a path. */
#ifndef ENTOPIC_FUZZ_H
#define ENTOPIC_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

static inline const char *fuzz_data_path(const char *rel)
{
	static char buf[4][4096];
	static int k;
	const char *d = getenv("ENTOPIC_DATA");
	char *p = buf[k++ & 3];
	snprintf(p, sizeof buf[0], "%s/%s", d && *d ? d : ".", rel);
	return p;
}

/* A file holding exactly data[0..size), rewritten on every call; its path is returned. It
 * has no name once made: the path is /proc/self/fd/N, so that nothing is left in /tmp when
 * the fuzzer ends, however it ends. */
static inline const char *fuzz_file(const uint8_t *data, size_t size)
{
	static char path[64];
	static int fd = -1;
	if (fd < 0) {
		snprintf(path, sizeof path, "/tmp/entopic-fuzz-XXXXXX");
		fd = mkstemp(path);
		if (fd < 0) {
			perror("mkstemp");
			abort();
		}
		unlink(path);
		snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
	}
	if (ftruncate(fd, 0) != 0 || (size && pwrite(fd, data, size, 0) != (ssize_t)size)) {
		perror(path);
		abort();
	}
	return path;
}

#endif
