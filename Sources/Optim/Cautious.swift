import Tensors

// The `cautious = true` switch (Liang et al. 2024, "Cautious Optimizers", arXiv:2411.16085):
// the update u is zeroed where it disagrees in sign with the gradient (u·g ≤ 0) and the rest is
// multiplied by numel/(kept + 1), as pytorch-optimizer's `apply_cautious`. The count needs a
// pass before the step, so a cautious step is two passes: the first updates the moments and
// counts, the second recomputes u from the stored moments (same operations, same bits) and steps.

/// numel/(kept + 1): the rescale of the kept entries.
@inline(__always)
func cautiousScale(count: Int, kept: Double) -> Float { Float(Double(count) / (kept + 1)) }

/// `u` where u·g > 0, times `scale`; 0 elsewhere.
@inline(__always)
func cautiousMask(_ u: Lanes, _ g: Lanes, _ scale: Float) -> Lanes {
    Lanes(repeating: 0).replacing(with: u * scale, where: u * g .> 0)
}

/// Lanes i..<i+n of (u·g > 0) as 1 or 0 (missing lanes 0).
@inline(__always)
func cautiousAgree(_ u: Lanes, _ g: Lanes, _ n: Int) -> Lanes {
    lanesMasked(Lanes(repeating: 0).replacing(with: 1, where: u * g .> 0), n)
}

/// Cautious Adam/AdamW/AMSGrad: pass 1 (`reduce`) is AdamKernel's moment update plus the count;
/// pass 2 (`apply`) the masked step. The gradient compared is the one the moments see (with the
/// L2 term when decay is not decoupled).
struct CautiousAdamKernel: LaneKernel, LaneReduction {
    let adam: AdamKernel
    var scale: Float = 1

    @inline(__always)
    func direction(_ vm: Lanes, _ mi: Lanes) -> Lanes {
        let denom = adam.insideSqrt ? lanesSqrt(vm / adam.bc2 + adam.eps) : lanesSqrt(vm) / adam.bc2Sqrt + adam.eps
        return mi / denom
    }

    @inline(__always)
    func reduce(_ i: Int, _ n: Int) -> (Lanes, Lanes) {
        let (_, gi, mi, vi) = adamMoments(adam.p, adam.g, adam.m, adam.v, i, n, adam.moments)
        var vm = vi
        if adam.amsgrad {
            vm = lanesMax(Lanes(adam.vmax, i, n), vi)
            vm.store(adam.vmax, i, n)
        }
        return (cautiousAgree(direction(vm, mi), gi, n), Lanes(repeating: 0))
    }

    @inline(__always)
    func apply(_ i: Int, _ n: Int) {
        let k = adam.moments
        let pi = Lanes(adam.p, i, n), gi = k.sign * Lanes(adam.g, i, n) + k.l2 * pi
        let u = direction(Lanes(adam.amsgrad ? adam.vmax : adam.v, i, n), Lanes(adam.m, i, n))
        (pi * k.decay + adam.stepSize * cautiousMask(u, gi, scale)).store(adam.p, i, n)
    }
}

/// Cautious Lion (pytorch-optimizer's `Lion(cautious=True)`): u = sign(β1·m + (1 − β1)·g),
/// masked and rescaled. Pass 1 only counts (it reads the old m); pass 2 steps and updates m.
struct CautiousLionKernel: LaneKernel, LaneReduction {
    let lion: LionKernel
    var scale: Float = 1

    @inline(__always)
    func reduce(_ i: Int, _ n: Int) -> (Lanes, Lanes) {
        let gi = lion.sign * Lanes(lion.g, i, n)
        let u = lanesSign(lion.beta1 * Lanes(lion.m, i, n) + lion.c1 * gi)
        return (cautiousAgree(u, gi, n), Lanes(repeating: 0))
    }

    @inline(__always)
    func apply(_ i: Int, _ n: Int) {
        let gi = lion.sign * Lanes(lion.g, i, n), mi = Lanes(lion.m, i, n)
        let u = lanesSign(lion.beta1 * mi + lion.c1 * gi)
        (Lanes(lion.p, i, n) * lion.decay - lion.lr * cautiousMask(u, gi, scale)).store(lion.p, i, n)
        (lion.beta2 * mi + lion.c2 * gi).store(lion.m, i, n)
    }
}

/// Cautious AdEMAMix (pytorch-optimizer's `AdEMAMix(cautious=True)`): only the fast EMA m1 is
/// masked (by m1·g > 0) and rescaled, before its bias correction; α·m2 is added unmasked.
/// Pass 1 updates the moments and counts; pass 2 steps from them.
struct CautiousAdEMAMixKernel: LaneKernel, LaneReduction {
    let k: AdEMAMixKernel
    var scale: Float = 1

    @inline(__always)
    func reduce(_ i: Int, _ n: Int) -> (Lanes, Lanes) {
        let gi = k.sign * Lanes(k.g, i, n)
        let fast = k.c1 * gi + k.b1 * Lanes(k.m1, i, n)
        (k.c3 * gi + k.b3 * Lanes(k.m2, i, n)).store(k.m2, i, n)
        (k.c2 * (gi * gi) + k.b2 * Lanes(k.v, i, n)).store(k.v, i, n)
        fast.store(k.m1, i, n)
        return (cautiousAgree(fast, gi, n), Lanes(repeating: 0))
    }

    @inline(__always)
    func apply(_ i: Int, _ n: Int) {
        let gi = k.sign * Lanes(k.g, i, n), pi = Lanes(k.p, i, n)
        let fast = cautiousMask(Lanes(k.m1, i, n), gi, scale)
        let u = (fast / k.bc1 + k.alpha * Lanes(k.m2, i, n)) / (lanesSqrt(Lanes(k.v, i, n) / k.bc2 + k.epsRoot) + k.eps) + k.wd * pi
        (pi + k.nlr * u).store(k.p, i, n)
    }
}
