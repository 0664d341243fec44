/*
 * trace_str.c - strings made fit for a trace line (trace.h): quoted C style
 * as strace quotes them (trace_str), or made valid UTF-8 for JSON
 * (trace_utf8).
 */
#include "trace.h"

#include "decode.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *
trace_str(const char *s)
{
	char *buf = dec_scratch();
	size_t o = 0;
	const size_t max = 64; /* like strace -s: long strings are cut */

	if (!s)
		return "NULL";
	buf[o++] = '"';
	for (size_t i = 0; s[i] && o < DEC_SCRATCH_SIZE - 8; i++) {
		unsigned char c = (unsigned char)s[i];

		if (i == max) {
			memcpy(buf + o, "\"...", 4);
			o += 4;
			buf[o] = '\0';
			return buf;
		}
		if (c == '"' || c == '\\') {
			buf[o++] = '\\';
			buf[o++] = (char)c;
		} else if (c == '\n') {
			buf[o++] = '\\';
			buf[o++] = 'n';
		} else if (c < 0x20 || c >= 0x7f) {
			o += (size_t)snprintf(buf + o, 5, "\\%o", c);
		} else {
			buf[o++] = (char)c;
		}
	}
	buf[o++] = '"';
	buf[o] = '\0';
	return buf;
}

char *
trace_utf8(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	/* Worst case every byte becomes the 3-byte U+FFFD. */
	char *out = malloc(strlen(s) * 3 + 1), *o = out;

	if (!out)
		return NULL;
	while (*p) {
		int len = *p < 0x80		? 1
			  : (*p & 0xe0) == 0xc0 ? 2
			  : (*p & 0xf0) == 0xe0 ? 3
			  : (*p & 0xf8) == 0xf0 ? 4
						: 0;
		int ok = len > 0 && !(len == 2 && *p < 0xc2) && !(len == 4 && *p > 0xf4);

		for (int i = 1; ok && i < len; i++)
			ok = (p[i] & 0xc0) == 0x80;
		/* Overlong 3- and 4-byte forms and UTF-16 surrogates are invalid too. */
		if (ok && len == 3)
			ok = !(p[0] == 0xe0 && p[1] < 0xa0) && !(p[0] == 0xed && p[1] >= 0xa0);
		if (ok && len == 4)
			ok = !(p[0] == 0xf0 && p[1] < 0x90) && !(p[0] == 0xf4 && p[1] >= 0x90);
		if (ok) {
			memcpy(o, p, (size_t)len);
			o += len;
			p += len;
		} else {
			memcpy(o, "\xef\xbf\xbd", 3);
			o += 3;
			p++;
		}
	}
	*o = '\0';
	return out;
}
