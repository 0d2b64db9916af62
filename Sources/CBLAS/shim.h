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

/* LAPACK (double precision) from the LAPACK that Debian's OpenBLAS bundles: the Fortran symbols,
 * called directly so that no second library (LAPACKE) is needed. Every argument is passed by
 * address; integers are 32-bit (Debian's libopenblas is LP64); matrices are column-major. The
 * trailing size_t arguments are the hidden lengths gfortran expects for CHARACTER arguments
 * (always 1 here). See Sources/Tensors/LinalgLAPACK.swift. */
#include <stddef.h>
void dsyevd_(const char *jobz, const char *uplo, const int *n, double *a, const int *lda, double *w,
             double *work, const int *lwork, int *iwork, const int *liwork, int *info, size_t, size_t);
void dgesdd_(const char *jobz, const int *m, const int *n, double *a, const int *lda, double *s,
             double *u, const int *ldu, double *vt, const int *ldvt, double *work, const int *lwork,
             int *iwork, int *info, size_t);
void dgetrf_(const int *m, const int *n, double *a, const int *lda, int *ipiv, int *info);
void dgetrs_(const char *trans, const int *n, const int *nrhs, const double *a, const int *lda,
             const int *ipiv, double *b, const int *ldb, int *info, size_t);
void dgetri_(const int *n, double *a, const int *lda, const int *ipiv, double *work, const int *lwork,
             int *info);
void dpotrf_(const char *uplo, const int *n, double *a, const int *lda, int *info, size_t);
void dtrtrs_(const char *uplo, const char *trans, const char *diag, const int *n, const int *nrhs,
             const double *a, const int *lda, double *b, const int *ldb, int *info, size_t, size_t, size_t);
void dgeqrf_(const int *m, const int *n, double *a, const int *lda, double *tau, double *work,
             const int *lwork, int *info);
void dorgqr_(const int *m, const int *n, const int *k, double *a, const int *lda, const double *tau,
             double *work, const int *lwork, int *info);
void dgelsd_(const int *m, const int *n, const int *nrhs, double *a, const int *lda, double *b,
             const int *ldb, double *s, const double *rcond, int *rank, double *work, const int *lwork,
             int *iwork, int *info);
