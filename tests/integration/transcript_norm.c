/*
 * transcript_norm.c - machine paths out of the book's transcripts (see
 * transcript_norm.h).
 */
#include "transcript_norm.h"

#include <ctype.h>
#include <jansson.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The trace cuts strings at this many characters (common/trace_str.c trace_str). */
enum { TN_CUT = 64 };

static int
path_char(char c)
{
	return isalnum((unsigned char)c) || c == '.' || c == '_' || c == '-';
}

static void
add_rule(struct tn_rules *rules, const char *from, const char *to)
{
	if (rules->n == TN_MAX_RULES || from[0] == '\0' || strcmp(from, "/") == 0)
		return;
	for (int k = 0; k < rules->n; k++)
		if (strcmp(rules->r[k].from, from) == 0)
			return;
	snprintf(rules->r[rules->n].from, sizeof(rules->r[rules->n].from), "%s", from);
	rules->r[rules->n].to = to;
	rules->n++;
}

void
tn_rules_init(struct tn_rules *rules, const char *root, int host)
{
	char abs[PATH_MAX], init[64] = "";

	rules->n = 0;
	if (realpath(root, abs) && strcmp(abs, TN_ROOT) != 0)
		add_rule(rules, abs, TN_ROOT);
	if (!host)
		return;
	/* "N:controllers:/path" lines; "/" (the root) is the same everywhere. */
	FILE *f = fopen("/proc/self/cgroup", "re");
	char line[1024];

	while (f && fgets(line, sizeof(line), f)) {
		char *path = strchr(line, ':');

		path = path ? strchr(path + 1, ':') : NULL;
		if (!path)
			continue;
		path++;
		path[strcspn(path, "\n")] = '\0';
		add_rule(rules, path, TN_CGROUP);
	}
	if (f)
		fclose(f);
	/* Last: a cgroup path may hold the same name ("/process_api/..."). */
	f = fopen("/proc/1/comm", "re");
	if (f && fgets(init, sizeof(init), f)) {
		init[strcspn(init, "\n")] = '\0';
		if (strlen(init) >= 4 && strcmp(init, TN_INIT) != 0 && strcmp(init, "init") != 0)
			add_rule(rules, init, TN_INIT);
	}
	if (f)
		fclose(f);
}

/* Rule k matches at s[i]: the whole of from, ending where a path component
 * ends, and for all but the cgroup rules starting where one starts. */
static int
rule_at(const struct tn_rules *rules, int k, const char *s, size_t i, size_t len)
{
	const char *from = rules->r[k].from;
	size_t n = strlen(from);

	if (i + n > len || memcmp(s + i, from, n) != 0)
		return 0;
	if (i + n < len && path_char(s[i + n]))
		return 0;
	/* The checkout and pid 1's name are whole words: "/nutshell" is not the
	 * one in "/tmp/nutshell-run.X". */
	if (strcmp(rules->r[k].to, TN_CGROUP) != 0 && i > 0 &&
	    (path_char(s[i - 1]) || s[i - 1] == '/'))
		return 0;
	return 1;
}

/* s[i] starts the random part of an mkdtemp name ("nutshell-NAME." before
 * it); its length (6, or fewer where the string was cut), or 0. */
static size_t
mkdtemp_at(const char *s, size_t i, size_t len, int cut)
{
	size_t j = i, k;

	if (i < 11 || s[i - 1] != '.')
		return 0;
	for (k = i - 1; k > 0 && (islower((unsigned char)s[k - 1]) ||
				  isdigit((unsigned char)s[k - 1]) || s[k - 1] == '-');
	     k--)
		;
	if (i - 1 - k < 10 || strncmp(s + k, "nutshell-", 9) != 0)
		return 0;
	while (j < len && j - i < 7 && isalnum((unsigned char)s[j]))
		j++;
	if (j - i == 6 && (j == len || !isalnum((unsigned char)s[j])))
		return 6;
	if (cut && j == len && j > i)
		return j - i;
	return 0;
}

/* One stretch of text (cut: it ends where the trace cut a string). */
static void
plain(const struct tn_rules *rules, const char *s, size_t len, int cut, FILE *out)
{
	for (size_t i = 0; i < len;) {
		int k;
		size_t m;

		for (k = 0; k < rules->n && !rule_at(rules, k, s, i, len); k++)
			;
		if (k < rules->n) {
			fputs(rules->r[k].to, out);
			i += strlen(rules->r[k].from);
		} else if ((m = mkdtemp_at(s, i, len, cut)) > 0) {
			fprintf(out, "%.*s", (int)m, "XXXXXX");
			i += m;
		} else {
			fputc(s[i++], out);
		}
	}
}

/* The contents of a string the trace cut ("...", then "..."): a rule's path
 * that the cut broke is completed, the result normalised and cut again at
 * 64 characters, as a reader's run prints it. */
static void
cut_string(const struct tn_rules *rules, const char *s, size_t len, FILE *out)
{
	char *full = NULL, *norm = NULL;
	size_t flen = 0, nlen = 0, units = 0, i;
	FILE *f = open_memstream(&full, &flen);
	int done = 0;

	for (int k = 0; k < rules->n && !done; k++) {
		const char *from = rules->r[k].from;
		size_t n = strlen(from);

		for (size_t t = n - 1; t >= 8 && !done; t--) {
			if (t > len || memcmp(s + len - t, from, t) != 0)
				continue;
			fprintf(f, "%.*s%s", (int)(len - t), s, from);
			done = 1;
		}
	}
	if (!done)
		fprintf(f, "%.*s", (int)len, s);
	fclose(f);
	f = open_memstream(&norm, &nlen);
	plain(rules, full, flen, !done, f);
	fclose(f);
	/* An escape (\" \\ \n) is one character of the original. */
	for (i = 0; i < nlen && units < TN_CUT; units++)
		i += norm[i] == '\\' && i + 1 < nlen ? 2 : 1;
	fprintf(out, "%.*s", (int)i, norm);
	free(full);
	free(norm);
}

char *
tn_normalise(const struct tn_rules *rules, const char *text)
{
	char *out = NULL;
	size_t outlen = 0, len = strlen(text), start = 0;
	FILE *o = open_memstream(&out, &outlen);

	for (size_t i = 0; i < len; i++) {
		size_t j;

		if (text[i] != '"')
			continue;
		for (j = i + 1; j < len && text[j] != '"' && text[j] != '\n'; j++)
			if (text[j] == '\\' && j + 1 < len)
				j++;
		if (j + 3 >= len || text[j] != '"' || strncmp(text + j + 1, "...", 3) != 0)
			continue;
		plain(rules, text + start, i + 1 - start, 0, o);
		cut_string(rules, text + i + 1, j - i - 1, o);
		start = i = j;
	}
	plain(rules, text + start, len - start, 0, o);
	fclose(o);
	return out;
}

int
tn_machine_specific(const char *text, char *what, size_t size)
{
	static const char *const markers[] = {"/work/", "process_api", "/wt/", NULL};
	size_t len = strlen(text);

	for (int k = 0; markers[k]; k++) {
		const char *p = strstr(text, markers[k]);
		if (p) {
			snprintf(what, size, "%.*s", (int)strcspn(p, "\n\"\\"), p);
			return 1;
		}
	}
	for (size_t i = 0; i < len; i++) {
		/* The VM lane's checkout, /nutshell, as a path of its own. */
		if (strncmp(text + i, "/nutshell/", 10) == 0 &&
		    (i == 0 || (!path_char(text[i - 1]) && text[i - 1] != '/'))) {
			snprintf(what, size, "%.*s", (int)strcspn(text + i, "\n\"\\"), text + i);
			return 1;
		}
		size_t m = mkdtemp_at(text, i, len, 0);
		if (m == 6 && strncmp(text + i, "XXXXXX", 6) != 0) {
			snprintf(what, size, "%.*s", (int)strcspn(text + i, "/\n\"\\"), text + i);
			return 1;
		}
	}
	return 0;
}

void
tn_normalise_json(const struct tn_rules *rules, json_t *v)
{
	size_t i;
	const char *key;
	json_t *e;

	if (json_is_string(v)) {
		char *n = tn_normalise(rules, json_string_value(v));

		json_string_set(v, n);
		free(n);
	} else if (json_is_array(v)) {
		json_array_foreach(v, i, e) tn_normalise_json(rules, e);
	} else if (json_is_object(v)) {
		json_object_foreach(v, key, e) tn_normalise_json(rules, e);
	}
}
