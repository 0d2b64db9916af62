#include "CLuaShim.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <signal.h>
#include <pthread.h>
#include <unistd.h>

static descent_dispatch_fn swift_dispatch;
static descent_release_fn swift_release;
static descent_external_bytes_fn external_bytes;
static descent_fatal_fn fatal_limit;

void descent_set_fatal_handler(descent_fatal_fn handler) { fatal_limit = handler; }

void descent_install(descent_dispatch_fn dispatch, descent_release_fn release,
                     descent_external_bytes_fn external) {
    swift_dispatch = dispatch;
    swift_release = release;
    external_bytes = external;
}

/* Per-state bookkeeping, kept in the allocator's user data. */
typedef struct {
    int64_t heap;        /* bytes Lua has allocated */
    int64_t limit;       /* 0: unlimited */
    int64_t deadline;    /* monotonic ns; 0: none */
    int in_swift;        /* depth of Swift calls under way: the allocator must not fail then */
    int hit;             /* 1 memory, 2 time */
    int gc_step_kb;      /* GC work requested by Swift, done by the trampoline once Swift returned */
} host_info;

static host_info *info_of(lua_State *L) {
    void *ud = NULL;
    lua_getallocf(L, &ud);
    return (host_info *)ud;
}

int64_t descent_monotonic_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static int64_t total_bytes(host_info *info) {
    return info->heap + (external_bytes ? external_bytes() : 0);
}

static void *host_alloc(void *ud, void *ptr, size_t osize, size_t nsize) {
    host_info *info = (host_info *)ud;
    if (nsize == 0) {
        if (ptr) info->heap -= (int64_t)osize;
        free(ptr);
        return NULL;
    }
    int64_t old = ptr ? (int64_t)osize : 0;
    if (info->limit > 0 && nsize > (size_t)old && total_bytes(info) + (int64_t)nsize - old > info->limit) {
        if (!info->in_swift) {
            /* A single request larger than the whole limit is refused without ending the run. */
            if ((int64_t)nsize - old <= info->limit) info->hit = 1;
            return NULL; /* Lua raises a memory error from its own (C) frames */
        }
        /* Swift is inside a Lua API call, which must not fail; the trampoline raises once Swift
           returns. But Lua code can run here too (a __gc finalizer started by a GC step inside
           the call) and allocate without end: past a hard ceiling the run ends at once. */
        if (fatal_limit && total_bytes(info) + (int64_t)nsize - old > info->limit + info->limit / 4) {
            info->hit = 1;
            fatal_limit(1);
        }
    }
    void *p = realloc(ptr, nsize);
    if (p) info->heap += (int64_t)nsize - old;
    return p;
}

static int on_panic(lua_State *L) {
    const char *msg = lua_tostring(L, -1);
    fprintf(stderr, "descent: unprotected Lua error: %s\n", msg ? msg : "(not a string)");
    return 0; /* Lua aborts */
}

lua_State *descent_newstate(int64_t limit_bytes) {
    host_info *info = calloc(1, sizeof(host_info));
    if (!info) return NULL;
    info->limit = limit_bytes;
    lua_State *L = lua_newstate(host_alloc, info);
    if (!L) { free(info); return NULL; }
    lua_atpanic(L, on_panic);
    return L;
}

void descent_closestate(lua_State *L) {
    host_info *info = info_of(L);
    lua_close(L);
    free(info);
}

void descent_set_memory_limit(lua_State *L, int64_t limit_bytes) { info_of(L)->limit = limit_bytes; }
int64_t descent_lua_heap_bytes(lua_State *L) { return info_of(L)->heap; }
int descent_limit_hit(lua_State *L) { return info_of(L)->hit; }
void descent_mark_limit_hit(lua_State *L, int kind) {
    host_info *info = info_of(L);
    if (!info->hit) info->hit = kind;
}
int64_t descent_memory_limit(lua_State *L) { return info_of(L)->limit; }

/* The watchdog: a thread that ends the process a grace period after the deadline. Lua's hook
   cannot stop code that runs no Lua instructions (a long Swift kernel, a pattern match in C) or
   runs with hooks off (a __gc finalizer), so past deadline + grace the fatal handler records the
   failure and exits. */
static volatile int watchdog_cancelled;
static int64_t watchdog_at;

static void *watchdog_main(void *arg) {
    (void)arg;
    for (;;) {
        int64_t now = descent_monotonic_ns();
        if (watchdog_cancelled) return NULL;
        if (now >= watchdog_at) break;
        int64_t wait = watchdog_at - now;
        if (wait > 100000000) wait = 100000000;
        struct timespec ts = { (time_t)(wait / 1000000000), (long)(wait % 1000000000) };
        nanosleep(&ts, NULL);
    }
    if (!watchdog_cancelled && fatal_limit) fatal_limit(2);
    return NULL;
}

int descent_start_watchdog(int64_t at_ns) {
    watchdog_at = at_ns;
    watchdog_cancelled = 0;
    pthread_t thread;
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
    int rc = pthread_create(&thread, &attr, watchdog_main, NULL);
    pthread_attr_destroy(&attr);
    return rc;
}

void descent_cancel_watchdog(void) { watchdog_cancelled = 1; }

static void deadline_hook(lua_State *L, lua_Debug *ar) {
    (void)ar;
    host_info *info = info_of(L);
    if (info->deadline > 0 && descent_monotonic_ns() > info->deadline) {
        info->hit = 2;
        /* From now on stop at every instruction, so a script's own pcall cannot swallow it. */
        lua_sethook(L, deadline_hook, LUA_MASKCOUNT, 1);
        luaL_error(L, "time limit exceeded (--timeout)");
    }
}

void descent_set_deadline(lua_State *L, int64_t deadline_ns) {
    info_of(L)->deadline = deadline_ns;
    if (deadline_ns > 0) lua_sethook(L, deadline_hook, LUA_MASKCOUNT, 10000);
    else lua_sethook(L, NULL, 0, 0);
}

/* Ctrl-C in the REPL. The handler only stores integers and calls lua_sethook, which Lua allows
   from a signal handler (lua.c does the same): the hook then raises the error from Lua's own
   frames at the next instruction. The handler can only reach the main thread; a coroutine
   inherits its hook from the thread that creates it (as with the --timeout hook), so during an
   evaluation the main thread carries a polling hook that every coroutine created then keeps,
   and a loop inside a coroutine stops within INTERRUPT_POLL instructions. */
#define INTERRUPT_POLL 1000
static lua_State *volatile interrupt_target;
static volatile sig_atomic_t interrupt_pending;   /* set by the handler, cleared by the first raise */
static volatile sig_atomic_t interrupt_active;    /* set by the handler until the evaluation ends */
static volatile sig_atomic_t interrupt_received;

static void interrupt_hook(lua_State *L, lua_Debug *ar) {
    if (!interrupt_active) {
        /* A coroutine's inherited poll outside an interrupted evaluation: keep the deadline. */
        if (info_of(L)->deadline > 0) deadline_hook(L, ar);
        else lua_sethook(L, interrupt_hook, LUA_MASKCOUNT, INTERRUPT_POLL);  /* after a raise: poll slowly again */
        return;
    }
    interrupt_pending = 0;
    /* The hook stays on (every instruction) until the evaluation ends, so a script's own pcall
       cannot swallow the interrupt. */
    lua_sethook(L, interrupt_hook, LUA_MASKCOUNT, 1);
    luaL_error(L, "interrupted");
}

static void on_interrupt(int sig) {
    interrupt_received = 1;
    lua_State *L = interrupt_target;
    if (!L) return;
    if (interrupt_pending) {
        /* A second Ctrl-C before the first took effect: a long Swift kernel is running, which
           no hook can stop. End the process as an uncaught SIGINT would. */
        signal(sig, SIG_DFL);
        raise(sig);
        return;
    }
    interrupt_pending = 1;
    interrupt_active = 1;
    lua_sethook(L, interrupt_hook, LUA_MASKCOUNT, 1);
}

int descent_install_interrupt_handler(void) {
    struct sigaction action;
    memset(&action, 0, sizeof action);
    action.sa_handler = on_interrupt;
    sigemptyset(&action.sa_mask);
    action.sa_flags = 0; /* no SA_RESTART: a blocked read at the prompt returns EINTR */
    return sigaction(SIGINT, &action, NULL);
}

void descent_interrupt_begin(lua_State *L) {
    interrupt_pending = 0;
    interrupt_active = 0;
    interrupt_received = 0;
    interrupt_target = L;
    lua_sethook(L, interrupt_hook, LUA_MASKCOUNT, INTERRUPT_POLL);
}

void descent_interrupt_end(lua_State *L) {
    interrupt_target = NULL;
    interrupt_pending = 0;
    interrupt_active = 0;
    lua_sethook(L, NULL, 0, 0);
}

int descent_interrupt_take(void) {
    int received = interrupt_received;
    interrupt_received = 0;
    return received;
}

/* Pushes "file:line: " for the innermost *script* frame: embedded library chunks (nn, optim,
   train, ...; their sources start with '=') are skipped, so an error raised inside a library
   function points at the script line that called the library. Falls back to luaL_where. */
static void script_where(lua_State *L) {
    lua_Debug ar;
    for (int level = 1; lua_getstack(L, level, &ar); level++) {
        if (!lua_getinfo(L, "Sl", &ar)) break;
        if (ar.currentline > 0 && ar.source[0] == '@') {
            lua_pushfstring(L, "%s:%d: ", ar.short_src, ar.currentline);
            return;
        }
    }
    luaL_where(L, 1);
}

void descent_request_gc_step(lua_State *L, int kb) {
    host_info *info = info_of(L);
    info->gc_step_kb = kb > INT32_MAX - info->gc_step_kb ? INT32_MAX : info->gc_step_kb + kb;
}

/* Runs a Swift function and raises its error, if any, once Swift has returned. */
static int call_swift(lua_State *L, void *box) {
    host_info *info = info_of(L);
    if (info->in_swift > 0) {
        /* Lua code runs while a Swift function is under way only as a __gc finalizer started
           by a GC step inside that call (callbacks run through descent_pcall, which clears
           in_swift). Re-entering Swift then could change objects the outer call is using. The
           error ends the finalizer (Lua turns it into a warning). */
        lua_pushstring(L, "descent functions cannot be called from a __gc finalizer that runs during another descent call");
        return lua_error(L);
    }
    info->in_swift++;
    int n = swift_dispatch(L, box);
    info->in_swift--;
    if (n >= 0) {
        if (info->in_swift == 0 && info->gc_step_kb > 0) {
            /* The GC work for memory Lua cannot see (tensors), done here rather than inside the
               Swift call, so that finalizers run with no Swift frame below them. */
            int kb = info->gc_step_kb;
            info->gc_step_kb = 0;
            lua_gc(L, LUA_GCSTEP, kb);
        }
        if (info->in_swift == 0) {
            if (info->hit == 1 || (info->limit > 0 && total_bytes(info) > info->limit)) {
                info->hit = 1;
                lua_pushstring(L, "memory limit exceeded (--max-memory)");
                n = DESCENT_ERROR;
            } else if (info->hit == 2 || (info->deadline > 0 && descent_monotonic_ns() > info->deadline)) {
                info->hit = 2;
                lua_pushstring(L, "time limit exceeded (--timeout)");
                n = DESCENT_ERROR;
            }
        }
        if (n >= 0) return n;
    }
    if (n == DESCENT_ERROR) {
        script_where(L);
        lua_insert(L, -2);
        lua_concat(L, 2);
    }
    return lua_error(L);
}

static int trampoline(lua_State *L) {
    return call_swift(L, lua_touserdata(L, lua_upvalueindex(1)));
}

void descent_push_swift_function(lua_State *L, void *box) {
    lua_pushlightuserdata(L, box);
    lua_pushcclosure(L, trampoline, 1);
}

static int index_function(lua_State *L) {
    if (lua_type(L, 2) == LUA_TSTRING) {
        lua_pushvalue(L, 2);
        if (lua_rawget(L, lua_upvalueindex(1)) != LUA_TNIL) return 1;
        lua_pop(L, 1);
    }
    void *fallback = lua_touserdata(L, lua_upvalueindex(2));
    if (!fallback) { lua_pushnil(L); return 1; }
    return call_swift(L, fallback);
}

void descent_push_index_function(lua_State *L, int methods_index, void *fallback) {
    methods_index = lua_absindex(L, methods_index);
    lua_pushvalue(L, methods_index);
    if (fallback) lua_pushlightuserdata(L, fallback); else lua_pushnil(L);
    lua_pushcclosure(L, index_function, 2);
}

static int gc_function(lua_State *L);

/* Whether the value at idx is one of our object userdata: a one-pointer block whose metatable's
 * __gc is ours. Scripts can call `getmetatable(t).__gc(io.stdout)`; that must not free a FILE*. */
static int is_object(lua_State *L, int idx) {
    if (lua_type(L, idx) != LUA_TUSERDATA || lua_rawlen(L, idx) != sizeof(void *)) return 0;
    if (!lua_getmetatable(L, idx)) return 0;
    lua_pushliteral(L, "__gc");
    lua_rawget(L, -2);
    int ours = lua_tocfunction(L, -1) == gc_function;
    lua_pop(L, 2);
    return ours;
}

static int gc_function(lua_State *L) {
    void **slot = is_object(L, 1) ? (void **)lua_touserdata(L, 1) : NULL;
    if (slot && *slot) {
        void *object = *slot;
        *slot = NULL;
        swift_release(object);
    }
    return 0;
}

void descent_push_gc_function(lua_State *L) { lua_pushcfunction(L, gc_function); }

void descent_push_object(lua_State *L, void *object, int metatable_ref) {
    void **slot = (void **)lua_newuserdatauv(L, sizeof(void *), 0);
    *slot = object;
    lua_rawgeti(L, LUA_REGISTRYINDEX, metatable_ref);
    lua_setmetatable(L, -2);
}

void *descent_to_object(lua_State *L, int idx, const void *metatable) {
    void **slot = (void **)lua_touserdata(L, idx);
    if (!slot || lua_rawlen(L, idx) != sizeof(void *) || !lua_getmetatable(L, idx)) return NULL;
    const void *mt = lua_topointer(L, -1);
    lua_pop(L, 1);
    return mt == metatable ? *slot : NULL;
}

/* pcall, xpcall and coroutine.resume as in the base library, except that an error caught
   there restores the allocator's "Swift is running" depth to its value at the call: should an
   error ever unwind through a Swift call, the allocator must not go on believing Swift runs
   (it would stop enforcing --max-memory for the rest of the run). */
static int finish_pcall(lua_State *L, int status, lua_KContext ctx) {
    int extra = (int)(ctx & 3);
    if (status != LUA_OK && status != LUA_YIELD) {
        host_info *info = info_of(L);
        info->in_swift = (int)(ctx >> 2);
        /* A limit that was hit ends the run: a script's pcall cannot swallow it. */
        if (info->hit && info->in_swift == 0) return lua_error(L);
        lua_pushboolean(L, 0);
        lua_pushvalue(L, -2);
        return 2;
    }
    return lua_gettop(L) - extra;
}

static int safe_pcall(lua_State *L) {
    luaL_checkany(L, 1);
    lua_KContext ctx = ((lua_KContext)info_of(L)->in_swift << 2) | 0;
    lua_pushboolean(L, 1);
    lua_insert(L, 1);
    int status = lua_pcallk(L, lua_gettop(L) - 2, LUA_MULTRET, 0, ctx, finish_pcall);
    return finish_pcall(L, status, ctx);
}

static int safe_xpcall(lua_State *L) {
    int n = lua_gettop(L);
    luaL_checktype(L, 2, LUA_TFUNCTION);
    lua_KContext ctx = ((lua_KContext)info_of(L)->in_swift << 2) | 2;
    lua_pushboolean(L, 1);
    lua_pushvalue(L, 1);
    lua_rotate(L, 3, 2);
    int status = lua_pcallk(L, n - 2, LUA_MULTRET, 2, ctx, finish_pcall);
    return finish_pcall(L, status, ctx);
}

static int safe_resume(lua_State *L) {
    host_info *info = info_of(L);
    int depth = info->in_swift;
    lua_pushvalue(L, lua_upvalueindex(1));
    lua_insert(L, 1);
    lua_call(L, lua_gettop(L) - 1, LUA_MULTRET);  /* resume never raises for the coroutine's errors */
    info->in_swift = depth;
    if (info->hit && depth == 0 && lua_gettop(L) >= 2 && !lua_toboolean(L, 1)) {
        lua_pushvalue(L, 2);  /* the coroutine died of the limit: raise it here too */
        return lua_error(L);
    }
    return lua_gettop(L);
}

static int install_protected_calls(lua_State *L) {
    lua_pushcfunction(L, safe_pcall);
    lua_setglobal(L, "pcall");
    lua_pushcfunction(L, safe_xpcall);
    lua_setglobal(L, "xpcall");
    if (lua_getglobal(L, "coroutine") == LUA_TTABLE) {
        lua_getfield(L, -1, "resume");
        lua_pushcclosure(L, safe_resume, 1);
        lua_setfield(L, -2, "resume");
    }
    lua_pop(L, 1);
    return 0;
}

int descent_install_protected_calls(lua_State *L) {
    lua_pushcfunction(L, install_protected_calls);
    return lua_pcall(L, 0, 0, 0);  /* an error (out of memory) stays on the stack */
}

static int message_handler(lua_State *L) {
    const char *msg = lua_tostring(L, 1);
    if (msg == NULL) {
        if (luaL_callmeta(L, 1, "__tostring") && lua_type(L, -1) == LUA_TSTRING) msg = lua_tostring(L, -1);
        else {
            /* No message to carry a position: name the script line that raised it. */
            script_where(L);
            msg = lua_pushfstring(L, "%serror object is a %s value", lua_tostring(L, -1), luaL_typename(L, 1));
        }
    }
    luaL_traceback(L, L, msg, 1);
    return 1;
}

int descent_pcall(lua_State *L, int nargs, int nresults, int traceback) {
    /* Lua code called back from Swift runs under the normal limits again. */
    host_info *info = info_of(L);
    int depth = info->in_swift;
    info->in_swift = 0;
    int status;
    if (!traceback) {
        status = lua_pcall(L, nargs, nresults, 0);
    } else {
        int base = lua_gettop(L) - nargs;
        lua_pushcfunction(L, message_handler);
        lua_insert(L, base);
        status = lua_pcall(L, nargs, nresults, base);
        lua_remove(L, base);
    }
    info->in_swift = depth;
    return status;
}
