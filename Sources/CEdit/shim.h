/// libedit (BSD editline) for the REPL's line editing and history. `el_set`, `el_get` and
/// `history` are variadic, which Swift cannot call, so small inline wrappers stand in for the
/// calls the REPL makes.
#ifndef DESCENT_CEDIT_SHIM_H
#define DESCENT_CEDIT_SHIM_H

#include <histedit.h>
#include <locale.h>
#include <stdio.h>

/// The prompt is the editor's client data (a C string the caller keeps alive), so one prompt
/// function serves both `> ` and `>> `.
static inline char *descent_edit_prompt(EditLine *el) {
    void *text = NULL;
    el_get(el, EL_CLIENTDATA, &text);
    return text ? (char *)text : (char *)"";
}

/// An emacs-style editor on stdin/stdout with `history` attached, or NULL. Reads ~/.editrc.
static inline EditLine *descent_edit_open(const char *program, History *history_) {
    /* Without a UTF-8 LC_CTYPE libedit drops every non-ASCII byte a user types. */
    setlocale(LC_CTYPE, "");
    EditLine *el = el_init(program, stdin, stdout, stderr);
    if (!el) return NULL;
    el_set(el, EL_EDITOR, "emacs");
    el_set(el, EL_PROMPT, descent_edit_prompt);
    el_set(el, EL_HIST, history, history_);
    el_source(el, NULL);
    return el;
}

/// Binds Tab to `complete`, a function of the program's (libedit's EL_ADDFN callback type).
static inline void descent_edit_bind_completion(EditLine *el, unsigned char (*complete)(EditLine *, int)) {
    el_set(el, EL_ADDFN, "descent-complete", "complete the word before the cursor", complete);
    el_set(el, EL_BIND, "^I", "descent-complete", NULL);
}

/// The text of the line being edited, from its start to the cursor (length in `length`).
static inline const char *descent_edit_before_cursor(EditLine *el, int *length) {
    const LineInfo *info = el_line(el);
    *length = (int)(info->cursor - info->buffer);
    return info->buffer;
}

static inline void descent_edit_set_prompt(EditLine *el, const char *prompt) {
    el_set(el, EL_CLIENTDATA, (void *)prompt);
}

/// A history list keeping at most `size` entries, without consecutive duplicates.
static inline History *descent_history_open(int size) {
    History *h = history_init();
    if (!h) return NULL;
    HistEvent event;
    history(h, &event, H_SETSIZE, size);
    history(h, &event, H_SETUNIQUE, 1);
    return h;
}

static inline void descent_history_add(History *h, const char *line) {
    HistEvent event;
    history(h, &event, H_ENTER, line);
}

#endif
