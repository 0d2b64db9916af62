/* The recurrence's per-step products through OpenBLAS alone, on one thread: why
 * Functional.recurrentProduct (Sources/NN/RecurrentLayers.swift) splits them into column blocks.
 * Per step of a 2-layer LSTM of 128 with batch 32 on 2 threads, each thread multiplies 16 rows:
 *   forward   z[16, 512] += h[16, 128] . W_hh^T   (W_hh [512, 128]; or W_hh^T [128, 512] untransposed)
 *   backward  dh[16, 128] = dz[16, 512] . W_hh
 * and OpenBLAS 0.3.21 runs products of at most 100^3 multiply-adds with its small-matrix kernels
 * (no packing) on SkylakeX/Cooperlake. Prints microseconds per product for 1, 2, 4, 8 column
 * blocks, best of 5 runs.
 *   cc -O2 scripts/bench/openblas_small_products.c -lopenblas -o /tmp/obs && OPENBLAS_NUM_THREADS=1 /tmp/obs
 */
#include <cblas.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec * 1e-9;
}

int main(void) {
    const int m = 16, h = 128, gh = 512, calls = 4000;
    float *a = malloc(sizeof(float) * m * gh), *w = malloc(sizeof(float) * gh * h), *c = malloc(sizeof(float) * m * gh);
    for (int i = 0; i < m * gh; i++) { a[i] = rand() / (float)RAND_MAX; c[i] = 0; }
    for (int i = 0; i < gh * h; i++) w[i] = rand() / (float)RAND_MAX;
    for (int split = 1; split <= 8; split *= 2) {
        double best[3] = {1e9, 1e9, 1e9};
        for (int run = 0; run < 5; run++) {
            double t0 = now();
            for (int it = 0; it < calls; it++)
                for (int s = 0, nb = gh / split; s < split; s++)  /* forward, W_hh transposed by BLAS */
                    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, m, nb, h, 1, a, h, w + s * nb * h, h, 1, c + s * nb, gh);
            double t1 = now();
            for (int it = 0; it < calls; it++)
                for (int s = 0, nb = gh / split; s < split; s++)  /* forward, W_hh^T stored (w read as [128, 512]) */
                    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, m, nb, h, 1, a, h, w + s * nb, gh, 1, c + s * nb, gh);
            double t2 = now();
            for (int it = 0; it < calls; it++)
                for (int s = 0, nb = h / split; s < split; s++)  /* backward */
                    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, m, nb, gh, 1, a, gh, w + s * nb, h, 0, c + s * nb, h);
            double t3 = now(), d[3] = {t1 - t0, t2 - t1, t3 - t2};
            for (int k = 0; k < 3; k++) if (d[k] < best[k]) best[k] = d[k];
        }
        printf("%d column block(s): forward h.W^T %.2f us, forward with W^T stored %.2f us, backward dz.W %.2f us\n",
               split, best[0] / calls * 1e6, best[1] / calls * 1e6, best[2] / calls * 1e6);
    }
    free(a); free(w); free(c);
    return 0;
}
