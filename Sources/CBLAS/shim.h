#include <cblas.h>

/* OpenBLAS's runtime kernel selection (DYNAMIC_ARCH builds, as Debian ships). Not in cblas.h. */
char *openblas_get_corename(void);
void gotoblas_dynamic_init(void);
void gotoblas_dynamic_quit(void);
/* Joins OpenBLAS's worker threads (exported for its fork handling; restarted on demand). */
int blas_thread_shutdown_(void);

/* CPU features, for choosing an OpenBLAS core when its own detection falls back to a generic one. */
static inline int descent_cpu_supports_avx512(void) {
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw")
        && __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("avx512dq");
}
static inline int descent_cpu_supports_avx2(void) {
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
}

/* glibc malloc tuning (see TensorMemory.configureAllocator); malloc.h is not in Swift's Glibc module. */
#include <malloc.h>
static inline void descent_keep_freed_memory(void) {
    mallopt(M_MMAP_THRESHOLD, 256 << 20);
    mallopt(M_TRIM_THRESHOLD, 1 << 30);
}
