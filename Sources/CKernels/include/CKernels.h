#ifndef DESCENT_CKERNELS_H
#define DESCENT_CKERNELS_H
/* Element-wise kernels written for a wider CPU level than the binary's, chosen at run time
 * (Sources/CKernels/README.md). Each computes exactly what its Swift kernel computes — the same
 * IEEE operations in the same order, no FMA contraction — so results are bit-identical whichever
 * runs; only the vector width differs. */
#include <stddef.h>

/* 1 when this CPU runs the AVX-512 kernels below (AVX-512 F; the OS saves the zmm state). */
int descent_kernels_have_avx512(void);

/* y[i] = x[i]·Φ(x[i]) (GELU, exact form), as Sources/Tensors Gelu (FastMath.normalCDF). */
void descent_gelu_avx512(const float *x, float *y, ptrdiff_t n);

/* y[i] = 1/(1 + e^-x[i]), as FastMath.sigmoid. */
void descent_sigmoid_avx512(const float *x, float *y, ptrdiff_t n);

/* y[i] = tanh(x[i]), as FastMath.tanh. */
void descent_tanh_avx512(const float *x, float *y, ptrdiff_t n);

/* out[i] = g[i]·(Φ + x[i]·φ(x[i])) with Φ = y[i]/x[i] (Φ = 1/2 for |x| ≤ 1e-20), as
 * Sources/Tensors GeluBackwardFromOutput. */
void descent_gelu_backward_avx512(const float *g, const float *x, const float *y, float *out, ptrdiff_t n);

#endif
