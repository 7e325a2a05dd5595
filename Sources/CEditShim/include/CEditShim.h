#pragma once
/*
 * Typed wrappers for libedit: its variadic el_set()/history() and the C globals that
 * Swift 6 reports as not concurrency-safe (rl_attempted_completion_function, rl_outstream…).
 */
#include <stdio.h>
#include <editline/readline.h>

typedef char **(*mq_rl_completion_fn)(const char *text, int start, int end);
typedef char *(*mq_rl_generator_fn)(const char *text, int state);

/* Configure readline emulation the way platform-notes.md found to work with Ctrl-C. */
void mq_rl_configure(const char *program_name, FILE *outstream);
/* With stdout piped (`mq | tee`) libedit turns editing off unless it writes to stderr. */
void mq_rl_output_to_stderr(void);
void mq_rl_set_completion(mq_rl_completion_fn fn);
void mq_rl_set_completion_over(int value);
char **mq_rl_completion_matches(const char *text, mq_rl_generator_fn generator);
const char *mq_rl_line_buffer(void);
/* The character added after a single completion: ' ', or 0 for none (a directory). */
void mq_rl_set_completion_append(int c);

int mq_history_add(const char *line);
int mq_history_length(void);
/* The entry at offset (0 = oldest), or NULL. */
const char *mq_history_get(int offset);
int mq_history_stifle(int max);
int mq_history_read(const char *path);
int mq_history_write(const char *path);
void mq_history_clear(void);

/* Whether standard input was closed when mq started (`mq <&-`). A constructor opens
 * /dev/null on each closed descriptor 0-2 before the Swift runtime runs: libdispatch
 * creates an eventfd at start, which would otherwise become "standard input". */
int mq_stdin_was_closed(void);
