import Testing
@testable import Tensors

// CPULevel: which flags a CPU lacks for the level a binary was built for (scripts/descent builds
// the x86-64-v3 binary only where none is missing; the binary itself refuses to start otherwise).

private let epycFlags = """
processor\t: 0
vendor_id\t: AuthenticAMD
flags\t\t: fpu vme sse sse2 ssse3 fma cx16 sse4_1 sse4_2 movbe popcnt avx f16c abm bmi1 avx2 bmi2
bugs\t\t: sysret_ss_attrs
"""

@Test func missingFeaturesReadsTheFlagsLine() {
    let v3 = ["avx", "avx2", "fma", "bmi1", "bmi2", "f16c", "movbe", "abm", "sse4_2", "popcnt"]
    #expect(CPULevel.missingFeatures(cpuinfo: epycFlags, required: v3) == nil)
    let sandyBridge = epycFlags.replacingOccurrences(of: " avx2", with: "").replacingOccurrences(of: "fma ", with: "")
    #expect(CPULevel.missingFeatures(cpuinfo: sandyBridge, required: v3) == "avx2, fma")
    // A flag name that is a prefix of another ("avx" of "avx2") is not mistaken for it.
    #expect(CPULevel.missingFeatures(cpuinfo: "flags : avx2 avx512f", required: ["avx"]) == "avx")
    // No flags line (another architecture, a container hiding it): trusted.
    #expect(CPULevel.missingFeatures(cpuinfo: "processor : 0\n", required: v3) == nil)
}

@Test func theTestBuildIsTheBaselineAndRunsHere() {
    #expect(CPULevel.compiled == "baseline")
    #expect(CPULevel.requiredFlags.isEmpty)
    #expect(CPULevel.missingFeatures() == nil)
}
