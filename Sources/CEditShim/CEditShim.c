#include "CEditShim.h"
#include <string.h>

void mq_rl_configure(const char *program_name, FILE *outstream) {
    rl_readline_name = program_name;
    /* libedit re-sends SIGINT to the whole process group when it catches signals. */
    rl_catch_signals = 0;
    if (outstream != NULL) rl_outstream = outstream;
}
void mq_rl_output_to_stderr(void) { rl_outstream = stderr; }
void mq_rl_set_completion(mq_rl_completion_fn fn) {
    rl_attempted_completion_function = fn;
}
void mq_rl_set_completion_over(int value) { rl_attempted_completion_over = value; }
char **mq_rl_completion_matches(const char *text, mq_rl_generator_fn generator) {
    return rl_completion_matches(text, generator);
}
const char *mq_rl_line_buffer(void) { return rl_line_buffer; }
void mq_rl_set_completion_append(int c) { rl_completion_append_character = c; }

int mq_history_add(const char *line) { return add_history(line); }
int mq_history_length(void) { return history_length; }
const char *mq_history_get(int offset) {
    HIST_ENTRY *entry = history_get(history_base + offset);
    return entry ? entry->line : NULL;
}
int mq_history_stifle(int max) { stifle_history(max); return 0; }
int mq_history_read(const char *path) { return read_history(path); }
int mq_history_write(const char *path) { return write_history(path); }
void mq_history_clear(void) { clear_history(); }

#include <fcntl.h>
#include <unistd.h>
#include <errno.h>

static int stdin_was_closed = 0;

__attribute__((constructor(101))) static void mq_reopen_standard_descriptors(void) {
    for (int fd = 0; fd <= 2; fd++) {
        if (fcntl(fd, F_GETFD) == -1 && errno == EBADF) {
            if (fd == 0) stdin_was_closed = 1;
            int opened = open("/dev/null", fd == 0 ? O_RDONLY : O_WRONLY);
            if (opened >= 0 && opened != fd) {
                dup2(opened, fd);
                close(opened);
            }
        }
    }
}

int mq_stdin_was_closed(void) { return stdin_was_closed; }
