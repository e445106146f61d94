/* The tokenizer's tests again, over tokenize.c built here with TOK_PORTABLE: the windows
 * classify their bytes without SSE2's pmovmskb (as on a machine without it), and must give
 * the same tokens as the reference. This program's tok_split() is that build; the
 * library's is not linked in. */
#define TOK_PORTABLE 1
#include "../../src/tokenize.c"

#include "test_tokenize.c"
