/// The only C code of descent (besides CEdit's inline wrappers for libedit). It exists because:
///
/// 1. Lua raises errors with longjmp, which must never cross a Swift frame. Every Swift function
///    that Lua can call is reached through `descent_trampoline`: Swift returns a sentinel instead
///    of raising, and the trampoline calls `lua_error` after every Swift frame has returned.
/// 2. Much of Lua's C API is macros, which Swift cannot import; small inline wrappers stand in.
/// 3. Stopping running Lua code (the --timeout deadline, Ctrl-C in the REPL) needs a Lua hook,
///    and a hook that raises must be a C function.
#ifndef DESCENT_CLUASHIM_H
#define DESCENT_CLUASHIM_H

#include <lua.h>
#include <lualib.h>
#include <lauxlib.h>
#include <stddef.h>
#include <stdint.h>

/// A Swift function returns the number of results it pushed, or one of these sentinels.
/// DESCENT_ERROR: a message string is on top of the stack; the trampoline prefixes the script
/// position (`luaL_where(L, 1)`) and raises it. DESCENT_RAISE: the value on top is raised as is
/// (an error that already carries its position, e.g. one coming back from a Lua callback).
#define DESCENT_ERROR (-1)
#define DESCENT_RAISE (-2)

/// Calls the Swift function whose opaque box is `box`; set once by the Swift host.
typedef int (*descent_dispatch_fn)(lua_State *L, void *box);
/// Releases a Swift object owned by a userdata (its `__gc`).
typedef void (*descent_release_fn)(void *object);
/// Bytes of memory outside Lua's heap (tensor storage) counted against the memory limit.
typedef int64_t (*descent_external_bytes_fn)(void);

/// Called when a limit is exceeded where no Lua error can be raised (a `__gc` finalizer that
/// allocates without end inside a Swift call: kind 1; the watchdog past the deadline: kind 2).
/// It records the failure and ends the process; it must not touch the Lua state.
typedef void (*descent_fatal_fn)(int kind);
void descent_set_fatal_handler(descent_fatal_fn handler);

void descent_install(descent_dispatch_fn dispatch, descent_release_fn release,
                     descent_external_bytes_fn external);

/// Creates a state whose allocator enforces `limit_bytes` (0: no limit) over the Lua heap plus
/// the external bytes, and never fails while a Swift function is running (the trampoline raises
/// the error once Swift has returned).
lua_State *descent_newstate(int64_t limit_bytes);
void descent_set_memory_limit(lua_State *L, int64_t limit_bytes);
int64_t descent_lua_heap_bytes(lua_State *L);
/// Wall-clock deadline (CLOCK_MONOTONIC nanoseconds; 0: none), checked by an instruction-count
/// hook and after every Swift call.
void descent_set_deadline(lua_State *L, int64_t deadline_ns);
int64_t descent_monotonic_ns(void);
/// Ctrl-C for the REPL: installs a SIGINT handler (without SA_RESTART, so a read blocked at the
/// prompt returns EINTR). Between `descent_interrupt_begin` and `descent_interrupt_end` a SIGINT
/// makes the running Lua code raise "interrupted" at its next instruction; a second SIGINT
/// before that happens (a long Swift kernel) ends the process. `descent_interrupt_end` removes
/// the hook, so it must not be combined with `descent_set_deadline`. Returns sigaction's result.
int descent_install_interrupt_handler(void);
void descent_interrupt_begin(lua_State *L);
void descent_interrupt_end(lua_State *L);
/// Whether a SIGINT arrived since the last call (or the last `descent_interrupt_begin`); clears it.
int descent_interrupt_take(void);
/// Nonzero once the run was stopped by the memory limit (1) or the deadline (2).
int descent_limit_hit(lua_State *L);
void descent_closestate(lua_State *L);
/// Records that a limit was hit (1 memory, 2 time) when Swift detected it (a tensor allocation
/// refused under the memory limit): the run ends, and `pcall` cannot catch it.
void descent_mark_limit_hit(lua_State *L, int kind);
int64_t descent_memory_limit(lua_State *L);
/// Starts a thread that calls the fatal handler (kind 2) at `at_ns` (CLOCK_MONOTONIC) unless
/// cancelled first. Returns pthread_create's result.
int descent_start_watchdog(int64_t at_ns);
void descent_cancel_watchdog(void);

/// Pushes a C closure that forwards to the Swift function `box` (kept alive by the host).
void descent_push_swift_function(lua_State *L, void *box);
/// Pushes an `__index` function for a userdata type: string keys are looked up in the methods
/// table at `methods_index` without leaving C; other keys (and unknown names) go to `fallback`
/// (a Swift function box, or NULL to answer nil).
void descent_push_index_function(lua_State *L, int methods_index, void *fallback);
/// Pushes the shared `__gc` function that releases the Swift object of a userdata.
void descent_push_gc_function(lua_State *L);

/// Pushes a new full userdata holding `object` (retained by the caller) with the metatable stored
/// in the registry at `metatable_ref`.
void descent_push_object(lua_State *L, void *object, int metatable_ref);
/// The Swift object at `idx` if it is a userdata whose metatable is `metatable` (compared by
/// identity); NULL otherwise.
void *descent_to_object(lua_State *L, int idx, const void *metatable);

/// Asks for a GC step of `kb` kilobytes, done by the trampoline once the running Swift function
/// has returned (so finalizers never run below a Swift frame because of it).
void descent_request_gc_step(lua_State *L, int kb);
/// Replaces `pcall`, `xpcall` and `coroutine.resume` with versions that restore the allocator's
/// Swift depth when they catch an error. Runs protected; returns the `lua_pcall` status.
int descent_install_protected_calls(lua_State *L);

/// `lua_pcall` with a message handler that appends a traceback when `traceback` is nonzero.
int descent_pcall(lua_State *L, int nargs, int nresults, int traceback);

/* Wrappers for Lua's macros. */
static inline int descent_registryindex(void) { return LUA_REGISTRYINDEX; }
static inline int descent_upvalueindex(int i) { return lua_upvalueindex(i); }
static inline void descent_pop(lua_State *L, int n) { lua_pop(L, n); }
static inline void descent_newtable(lua_State *L) { lua_newtable(L); }
static inline double descent_tonumber(lua_State *L, int i, int *isnum) { return (double)lua_tonumberx(L, i, isnum); }
static inline long long descent_tointeger(lua_State *L, int i, int *isnum) { return (long long)lua_tointegerx(L, i, isnum); }
static inline const char *descent_tolstring(lua_State *L, int i, size_t *len) { return lua_tolstring(L, i, len); }
static inline void descent_insert(lua_State *L, int i) { lua_insert(L, i); }
static inline void descent_remove(lua_State *L, int i) { lua_remove(L, i); }
static inline void descent_replace(lua_State *L, int i) { lua_replace(L, i); }
static inline int descent_isnoneornil(lua_State *L, int i) { return lua_type(L, i) <= 0; }
static inline void descent_pushglobaltable(lua_State *L) { lua_pushglobaltable(L); }
/// `lua_gc` is variadic, which Swift cannot call.
static inline void descent_gc_step(lua_State *L, int kb) { lua_gc(L, LUA_GCSTEP, kb); }
static inline void descent_gc_collect(lua_State *L) { lua_gc(L, LUA_GCCOLLECT); }
static inline int descent_gc_count_kb(lua_State *L) { return lua_gc(L, LUA_GCCOUNT); }
/// `LUA_RELEASE` is a concatenation of macros, which Swift cannot import.
static inline const char *descent_lua_release(void) { return LUA_RELEASE; }

#endif
