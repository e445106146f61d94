/* The input tests again, over input.c built here with INPUT_SSE2: the strings are decoded
 * 32 bytes at a time with SSE2 even on a CPU with AVX2, and must give jansson's records
 * too. This program's scanner is that build; the library's is not linked in. */
#define INPUT_SSE2 1
#include "../../src/input.c"

#include "test_input.c"
