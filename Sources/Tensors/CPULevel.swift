import Foundation

/// The x86-64 instruction-set level this binary was compiled for, and whether this CPU has it.
///
/// The kernels are plain Swift loops that the compiler vectorizes for the level it targets:
/// 4-wide SSE at the baseline, 8-wide AVX2 at x86-64-v3 (about 2x on exp, tanh, sigmoid and
/// GELU; docs/performance.md). Swift has no per-function multiversioning, so the whole binary is
/// built per level: `scripts/descent` builds the x86-64-v3 binary (`-target-cpu haswell
/// -D DESCENT_X86_64_V3`) on a CPU that has it and the baseline one otherwise. Results are bit
/// for bit the same at both levels: Swift neither contracts a·b + c into FMA nor reassociates
/// floating-point sums, so wider vectors change the speed and nothing else.
///
/// ```swift
/// if let missing = CPULevel.missingFeatures() { print("cannot run: no \(missing)") }
/// print(CPULevel.compiled)   // "x86-64-v3" or "baseline"
/// ```
public enum CPULevel {
    #if DESCENT_X86_64_V3
    /// The level this binary was compiled for.
    public static let compiled = "x86-64-v3"
    /// The /proc/cpuinfo flags that level needs (x86-64-v3 = AVX, AVX2, FMA, BMI1, BMI2, F16C,
    /// MOVBE, LZCNT, on top of the SSE4.2 / POPCNT of v2).
    public static let requiredFlags = ["avx", "avx2", "fma", "bmi1", "bmi2", "f16c", "movbe", "abm", "sse4_2", "popcnt"]
    #else
    public static let compiled = "baseline"
    public static let requiredFlags: [String] = []
    #endif

    /// The flags of `requiredFlags` missing from this CPU, joined with ", " (nil when none are,
    /// or when /proc/cpuinfo cannot be read: then the CPU is trusted).
    public static func missingFeatures() -> String? {
        guard !requiredFlags.isEmpty,
              let text = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8) else { return nil }
        return missingFeatures(cpuinfo: text, required: requiredFlags)
    }

    /// The `required` flags absent from the first `flags` line of a /proc/cpuinfo text.
    public static func missingFeatures(cpuinfo: String, required: [String]) -> String? {
        guard let line = cpuinfo.split(separator: "\n").first(where: { $0.hasPrefix("flags") }),
              let colon = line.firstIndex(of: ":") else { return nil }
        let have = Set(line[line.index(after: colon)...].split(separator: " ").map(String.init))
        let missing = required.filter { !have.contains($0) }
        return missing.isEmpty ? nil : missing.joined(separator: ", ")
    }
}
