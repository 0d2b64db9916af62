/* AVX-512 versions of Swift kernels whose loops are bound by the out-of-order window (long
 * dependency chains per element: a division, a polynomial and an exponential), where 16 lanes
 * per instruction instead of the v3 binary's 8 double the throughput (Sources/CKernels/README.md).
 *
 * Every operation mirrors the Swift source, in the same order and precision: Swift never
 * contracts a·b + c into an FMA, and neither does this file (separate mul and add intrinsics,
 * and contraction off besides), so each result is bit-identical to the Swift kernel's
 * (KernelDispatchTests checks this on every input class). */
#include "CKernels.h"
#include <immintrin.h>

#pragma clang fp contract(off)

#define AVX512 __attribute__((target("avx512f")))

int descent_kernels_have_avx512(void) {
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx512f");
}

AVX512 static inline __m512 splat(float v) { return _mm512_set1_ps(v); }
AVX512 static inline __m512 add(__m512 a, __m512 b) { return _mm512_add_ps(a, b); }
AVX512 static inline __m512 sub(__m512 a, __m512 b) { return _mm512_sub_ps(a, b); }
AVX512 static inline __m512 mul(__m512 a, __m512 b) { return _mm512_mul_ps(a, b); }
/* where(m, a, b): a where m is set, else b (Swift's `cond ? a : b`). */
AVX512 static inline __m512 where(__mmask16 m, __m512 a, __m512 b) { return _mm512_mask_blend_ps(m, b, a); }
AVX512 static inline __mmask16 less(__m512 a, __m512 b) { return _mm512_cmp_ps_mask(a, b, _CMP_LT_OQ); }
AVX512 static inline __mmask16 greater(__m512 a, __m512 b) { return _mm512_cmp_ps_mask(a, b, _CMP_GT_OQ); }
/* Swift's `x < 0 ? -x : x` (a sign flip, so −0 stays −0 and NaN stays NaN). */
AVX512 static inline __m512 magnitude(__m512 x) {
    __m512 flipped = _mm512_castsi512_ps(_mm512_xor_si512(_mm512_castps_si512(x), _mm512_set1_epi32((int)0x80000000u)));
    return where(less(x, splat(0.0f)), flipped, x);
}

/* FastMath.exp (Sources/Tensors/ElementwiseMath.swift), line for line. */
AVX512 static inline __m512 fast_exp(__m512 x) {
    __m512 xc = where(less(x, splat(-104.0f)), splat(-104.0f), where(greater(x, splat(88.8f)), splat(88.8f), x));
    __m512 t = add(mul(xc, splat(1.44269504088896341f)), splat(12582912.0f));
    __m512 n = sub(t, splat(12582912.0f));
    __m512 r = add(sub(xc, mul(n, splat(0.693359375f))), mul(n, splat(2.12194440e-4f)));
    __m512 r2 = mul(r, r), r4 = mul(r2, r2);
    __m512 p01 = add(splat(5.0000001201e-1f), mul(splat(1.6666665459e-1f), r));
    __m512 p23 = add(splat(4.1665795894e-2f), mul(splat(8.3334519073e-3f), r));
    __m512 p45 = add(splat(1.3981999507e-3f), mul(splat(1.9875691500e-4f), r));
    __m512 p = add(add(p01, mul(p23, r2)), mul(p45, r4));
    __m512 er = add(add(mul(p, r2), r), splat(1.0f));
    __m512i k = _mm512_sub_epi32(_mm512_castps_si512(t), _mm512_set1_epi32(0x4B400000));
    __m512i k1 = _mm512_srai_epi32(k, 1), k2 = _mm512_sub_epi32(k, k1);
    __m512 s1 = _mm512_castsi512_ps(_mm512_slli_epi32(_mm512_add_epi32(k1, _mm512_set1_epi32(127)), 23));
    __m512 s2 = _mm512_castsi512_ps(_mm512_slli_epi32(_mm512_add_epi32(k2, _mm512_set1_epi32(127)), 23));
    __m512 scaled = mul(mul(er, s1), s2);
    return where(greater(x, splat(88.72283f)), splat(__builtin_inff()),
                 where(less(x, splat(-103.972f)), splat(0.0f), scaled));
}

/* FastMath.normalCDF, line for line. */
AVX512 static inline __m512 normal_cdf(__m512 x) {
    __m512 z = mul(magnitude(x), splat(0.70710678118654752f));
    __m512 t = _mm512_div_ps(splat(1.0f), add(splat(1.0f), mul(splat(0.5f), z)));
    __m512 t2 = mul(t, t), t4 = mul(t2, t2), t8 = mul(t4, t4);
    __m512 p01 = add(splat(-1.26551223f), mul(splat(1.00002368f), t));
    __m512 p23 = add(splat(0.37409196f), mul(splat(0.09678418f), t));
    __m512 p45 = add(splat(-0.18628806f), mul(splat(0.27886807f), t));
    __m512 p67 = add(splat(-1.13520398f), mul(splat(1.48851587f), t));
    __m512 p89 = add(splat(-0.82215223f), mul(splat(0.17087277f), t));
    __m512 p = add(add(add(p01, mul(p23, t2)), mul(add(p45, mul(p67, t2)), t4)), mul(p89, t8));
    __m512 half = mul(mul(splat(0.5f), t), fast_exp(sub(p, mul(z, z))));
    return where(less(x, splat(0.0f)), half, sub(splat(1.0f), half));
}

/* FastMath.sigmoid: 1 / (1 + e^-x). */
AVX512 static inline __m512 sigmoid(__m512 x) {
    __m512 minus = _mm512_castsi512_ps(_mm512_xor_si512(_mm512_castps_si512(x), _mm512_set1_epi32((int)0x80000000u)));
    return _mm512_div_ps(splat(1.0f), add(splat(1.0f), fast_exp(minus)));
}

/* FastMath.tanh, line for line: Cephes' odd polynomial for |x| < 0.625, else ±(1 − 2/(e^{2|x|} + 1)). */
AVX512 static inline __m512 fast_tanh(__m512 x) {
    __m512 a = magnitude(x);
    __m512 z = mul(x, x);
    __m512 p = splat(-5.70498872745e-3f);
    p = add(mul(p, z), splat(2.06390887954e-2f));
    p = sub(mul(p, z), splat(5.37397155531e-2f));
    p = add(mul(p, z), splat(1.33314422036e-1f));
    p = sub(mul(p, z), splat(3.33332819422e-1f));
    __m512 small = add(mul(mul(p, z), x), x);
    __m512 big = sub(splat(1.0f), _mm512_div_ps(splat(2.0f), add(fast_exp(mul(splat(2.0f), a)), splat(1.0f))));
    __m512 negBig = _mm512_castsi512_ps(_mm512_xor_si512(_mm512_castps_si512(big), _mm512_set1_epi32((int)0x80000000u)));
    __m512 signedBig = where(less(x, splat(0.0f)), negBig, big);
    return where(less(a, splat(0.625f)), small, signedBig);
}

/* Gelu: x · Φ(x). */
AVX512 static inline __m512 gelu(__m512 x) { return mul(x, normal_cdf(x)); }

/* GeluBackwardFromOutput: g · (Φ + x·φ(x)), Φ = y/x (1/2 for |x| ≤ 1e-20). */
AVX512 static inline __m512 gelu_backward(__m512 g, __m512 x, __m512 y) {
    __m512 cdf = where(greater(magnitude(x), splat(1e-20f)), _mm512_div_ps(y, x), splat(0.5f));
    __m512 pdf = mul(splat(0.39894228040143268f), fast_exp(mul(mul(splat(-0.5f), x), x)));
    return mul(g, add(cdf, mul(x, pdf)));
}

/* Lanes i..<n as a mask (n − i < 16). */
AVX512 static inline __mmask16 tail_mask(ptrdiff_t left) { return (__mmask16)((1u << left) - 1u); }

AVX512 void descent_gelu_backward_avx512(const float *g, const float *x, const float *y, float *out, ptrdiff_t n) {
    ptrdiff_t i = 0;
    for (; i + 16 <= n; i += 16) {
        _mm512_storeu_ps(out + i, gelu_backward(_mm512_loadu_ps(g + i), _mm512_loadu_ps(x + i), _mm512_loadu_ps(y + i)));
    }
    if (i < n) {
        __mmask16 m = tail_mask(n - i);
        __m512 r = gelu_backward(_mm512_maskz_loadu_ps(m, g + i), _mm512_maskz_loadu_ps(m, x + i),
                                 _mm512_maskz_loadu_ps(m, y + i));
        _mm512_mask_storeu_ps(out + i, m, r);
    }
}

/* A unary kernel over a row: 16 lanes at a time, then the tail under a mask. */
#define UNARY_ROW(name, f) \
    AVX512 void name(const float *x, float *y, ptrdiff_t n) { \
        ptrdiff_t i = 0; \
        for (; i + 16 <= n; i += 16) _mm512_storeu_ps(y + i, f(_mm512_loadu_ps(x + i))); \
        if (i < n) { \
            __mmask16 m = tail_mask(n - i); \
            _mm512_mask_storeu_ps(y + i, m, f(_mm512_maskz_loadu_ps(m, x + i))); \
        } \
    }

UNARY_ROW(descent_gelu_avx512, gelu)
UNARY_ROW(descent_sigmoid_avx512, sigmoid)
UNARY_ROW(descent_tanh_avx512, fast_tanh)
