import CBLAS
#if canImport(Glibc)
import Glibc
#endif

/// OpenBLAS configuration done once per process.
public enum BLASSetup {
    /// The OpenBLAS kernel set in use (e.g. "SkylakeX", "Haswell").
    public static var coreName: String { String(cString: openblas_get_corename()) }

    /// OpenBLAS 0.3.21 (Debian 12) does not recognise recent Xeons and falls back to its generic
    /// "Prescott" kernels, about 4x slower than the AVX-512 ones on the same machine. When that
    /// happens and the user has not chosen a core with OPENBLAS_CORETYPE, pick the kernels the
    /// CPU's features allow and reinitialise OpenBLAS (before any BLAS call is made).
    public static let configure: Void = {
        defer {
            // See BLAS.sgemm: descent threads the panels itself. OpenBLAS started a worker per
            // core when it loaded, and an idle worker spins in sched_yield for its first ~0.2 s
            // (12 % of a 1-thread mnist5k MLP run's samples, on the core descent's own second
            // thread needs): stop them; OpenBLAS restarts them if it ever needs them again.
            openblas_set_num_threads(1)
            _ = blas_thread_shutdown_()
        }
        guard getenv("OPENBLAS_CORETYPE") == nil, coreName == "Prescott" else { return }
        let core: String? = descent_cpu_supports_avx512() != 0 ? "SkylakeX"
            : descent_cpu_supports_avx2() != 0 ? "Haswell" : nil
        guard let core else { return }
        setenv("OPENBLAS_CORETYPE", core, 1)
        gotoblas_dynamic_quit()
        gotoblas_dynamic_init()
    }()
}
