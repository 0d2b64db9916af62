import Foundation
import Testing
@testable import Tensors

/// The PyTorch fixtures of scripts/reference/tensor_ops_fixtures.py (PyTorch 2.13.0+cpu): for
/// each case the same op runs here on the same inputs; values and the gradients of
/// sum_i <out_i, upstream_i> with respect to every float input must agree within 1e-4 relative.
@Suite struct TensorOpsFixtureTests {
    struct Array_: Decodable { let shape: [Int]; let data: [Double]; let kind: String? }
    struct Case: Decodable {
        let name: String
        let inputs: [Array_]
        let outputs: [Array_]
        let upstream: [Array_?]
        let grads: [Array_?]
    }
    struct File: Decodable { let torch: String; let cases: [Case] }

    static let file: File? = {
        guard let url = Bundle.module.url(forResource: "tensor_ops", withExtension: "json", subdirectory: "Fixtures"),
              let data = try? Data(contentsOf: url) else { return nil }
        return try? JSONDecoder().decode(File.self, from: data)
    }()

    static var names: [String] { file?.cases.map(\.name) ?? ["(fixture file missing)"] }

    /// The op of each case, by name (dims 0-based as in Swift; index tensors 1-based).
    static func run(_ name: String, _ x: [Tensor]) throws -> [Tensor] {
        if name.hasPrefix("einsum:") { return [try Tensor.einsum(String(name.dropFirst(7)), x)] }
        if name.hasPrefix("matmul:") { return [try x[0].matmul(x[1])] }
        switch name {
        case "sort_last": let r = try x[0].sort(dim: -1); return [r.values, r.indices]
        case "sort_dim0_desc": let r = try x[0].sort(dim: 0, descending: true); return [r.values, r.indices]
        case "argsort": return [try x[0].argsort(dim: 1)]
        case "topk_largest": let r = try x[0].topk(3, dim: 1); return [r.values, r.indices]
        case "topk_smallest_dim0": let r = try x[0].topk(2, dim: 0, largest: false); return [r.values, r.indices]
        case "cumsum_dim1": return [try x[0].cumsum(dim: 1)]
        case "cumsum_dim0": return [try x[0].cumsum(dim: 0)]
        case "cumprod_dim1", "cumprod_zeros": return [try x[0].cumprod(dim: 1)]
        case "flip_0_2": return [try x[0].flip([0, 2])]
        case "roll_dims": return [try x[0].roll([1, -2], dims: [0, 1])]
        case "roll_flat": return [try x[0].roll([5])]
        case "chunk_3": return try x[0].chunk(3, dim: 0)
        case "split_sizes": return try x[0].split(sizes: [2, 3], dim: 1)
        case "split_size": return try x[0].split(size: 2, dim: 0)
        case "unbind_1": return try x[0].unbind(dim: 1)
        case "tril": return [try x[0].tril()]
        case "tril_m1": return [try x[0].tril(diagonal: -1)]
        case "triu_1_batched": return [try x[0].triu(diagonal: 1)]
        case "triu": return [try x[0].triu()]
        case "masked_fill": return [try x[0].maskedFill(x[1], value: -2.5)]
        case "diag_vec_k1": return [try x[0].diag(1)]
        case "diag_mat_km1": return [try x[0].diag(-1)]
        case "diagonal_1_12": return [try x[0].diagonal(offset: 1, dim1: 1, dim2: 2)]
        case "diagonal_m1_02": return [try x[0].diagonal(offset: -1, dim1: 0, dim2: 2)]
        case "trace": return [try x[0].trace()]
        case "scatter_src": return [try x[0].scatter(dim: 1, index: x[1], src: x[2])]
        case "scatter_value": return [try x[0].scatter(dim: 1, index: x[1], value: 4)]
        case "scatter_add": return [try x[0].scatterAdd(dim: 1, index: x[1], src: x[2])]
        case "index_add": return [try x[0].indexAdd(dim: 0, index: x[1], source: x[2], alpha: 2)]
        case "any_dim1": return [try x[0].anyNonzero(dim: 1)]
        case "all_dim0": return [try x[0].allNonzero(dim: 0)]
        case "all": return [try x[0].allNonzero()]
        case "norm_fro": return [try x[0].norm(p: 2, dims: [])]
        case "norm_2_dims02": return [try x[0].norm(p: 2, dims: [0, 2])]
        case "norm_1_dims12_keepdim": return [try x[0].norm(p: 1, dims: [1, 2], keepdim: true)]
        case "norm_inf_dim1": return [try x[0].norm(p: .infinity, dims: [1])]
        case "clamp_tensor": return [try x[0].clamp(minTensor: x[1], maxTensor: x[2])]
        case "lerp_tensor": return [try x[0].lerp(x[1], weight: x[2])]
        case "lerp_scalar": return [try x[0].lerp(x[1], weight: 0.3)]
        case "addcmul": return [try x[0].addcmul(x[1], x[2], value: 0.5)]
        case "addcdiv": return [try x[0].addcdiv(x[1], x[2], value: -2)]
        case "tile": return [try x[0].tile([2, 1, 2])]
        case "repeat_interleave_dim1": return [try x[0].repeatInterleave(2, dim: 1)]
        case "repeat_interleave_flat": return [try x[0].repeatInterleave(3)]
        case "movedim": return [try x[0].movedim([0, 1], [2, 0])]
        case "kron", "kron_mixed_rank": return [try Tensor.kron(x[0], x[1])]
        case "diff_2_dim0": return [try x[0].diff(n: 2, dim: 0)]
        case "tensordot_2": return [try Tensor.tensordot(x[0], x[1], dims: 2)]
        case "tensordot_lists": return [try Tensor.tensordot(x[0], x[1], dimsA: [0, 2], dimsB: [2, 0])]
        case "amax_ties_dim1": return [try x[0].amax(dims: [1])]
        case "amin_dims01_keepdim": return [try x[0].amin(dims: [0, 2], keepdim: true)]
        case "amax_all_ties": return [try x[0].amax(dims: [])]
        case "masked_select": return [try x[0].maskedSelect(x[1])]
        case "nonzero": return [try x[0].nonzero()]
        case "reciprocal": return [try x[0].reciprocal()]
        case "expm1": return [try x[0].expm1()]
        case "exp2": return [try x[0].exp2()]
        case "log2": return [try x[0].log2()]
        case "log10": return [try x[0].log10()]
        case "erf": return [try x[0].erf()]
        case "tan": return [try x[0].tan()]
        case "atan": return [try x[0].atan()]
        case "asin": return [try x[0].asin()]
        case "acos": return [try x[0].acos()]
        case "sinh": return [try x[0].sinh()]
        case "cosh": return [try x[0].cosh()]
        case "trunc": return [try x[0].trunc()]
        case "frac": return [try x[0].frac()]
        case "atan2": return [try x[0].atan2(x[1])]
        case "fmod": return [try x[0].fmod(x[1])]
        case "remainder": return [try x[0].remainder(x[1])]
        case "kthvalue_2_dim1": let r = try x[0].kthvalue(2, dim: 1); return [r.values, r.indices]
        case "median_dim0": let r = try x[0].median(dim: 0); return [r.values, r.indices]
        case "median_dim1_keepdim": let r = try x[0].median(dim: 1, keepdim: true); return [r.values, r.indices]
        case "median_all": return [try x[0].median()]
        case "quantile_dim1": return [try x[0].quantile([0.3], dim: 1, scalarQ: true)]
        case "quantile_list_dim0_keepdim": return [try x[0].quantile([0.25, 0.5, 0.9], dim: 0, keepdim: true)]
        case "quantile_all": return [try x[0].quantile([0.75], scalarQ: true)]
        case "cummax_dim1": let r = try x[0].cummax(dim: 1); return [r.values, r.indices]
        case "cummin_dim0": let r = try x[0].cummin(dim: 0); return [r.values, r.indices]
        case "logcumsumexp_dim1", "logcumsumexp_dim0_large": return [try x[0].logcumsumexp(dim: name.hasSuffix("dim1") ? 1 : 0)]
        case "logaddexp": return [try x[0].logaddexp(x[1])]
        case "hypot": return [try x[0].hypot(x[1])]
        case "cross_dim1": return [try x[0].cross(x[1], dim: 1)]
        case "cross_dim0_broadcast": return [try x[0].cross(x[1], dim: 0)]
        case "rot90_1": return [try x[0].rot90(1, dims: [0, 1])]
        case "rot90_3_dims12": return [try x[0].rot90(3, dims: [1, 2])]
        case "rot90_2": return [try x[0].rot90(2)]
        case "cdist_2": return [try Tensor.cdist(x[0], x[1])]
        case "cdist_1_batched": return [try Tensor.cdist(x[0], x[1], p: 1)]
        case "addmm": return [try x[0].addmm(x[1], x[2], beta: 0.5, alpha: 2)]
        case "baddbmm": return [try x[0].baddbmm(x[1], x[2], beta: -1, alpha: 0.5)]
        default: throw TensorError("no Swift op for fixture case \(name)")
        }
    }

    static func tensor(_ a: Array_) throws -> Tensor { try Tensor(a.data.map { Float($0) }, shape: a.shape) }

    static func close(_ got: Tensor, _ want: Array_, _ what: String) -> String? {
        guard got.shape == want.shape else { return "\(what): shape \(describe(shape: got.shape)), expected \(describe(shape: want.shape))" }
        for (k, (g, w)) in zip(got.toArray(), want.data).enumerated() {
            let err = abs(Double(g) - w), tol = 1e-4 * max(1, abs(w))
            if !(err <= tol) { return "\(what)[\(k)]: \(g), expected \(w)" }
        }
        return nil
    }

    @Test(arguments: names) func matchesPyTorch(_ name: String) throws {
        let c = try #require(Self.file?.cases.first { $0.name == name }, "fixture file or case missing")
        let inputs = try c.inputs.map { a -> Tensor in
            let t = try Self.tensor(a)
            if a.kind == "float" { t.requiresGrad = true }
            return t
        }
        let outs = try Self.run(name, inputs)
        #expect(outs.count == c.outputs.count, "\(name): \(outs.count) outputs, expected \(c.outputs.count)")
        for (k, (o, want)) in zip(outs, c.outputs).enumerated() {
            if let m = Self.close(o, want, "\(name) output \(k + 1)") { Issue.record(Comment(rawValue: m)) }
        }
        // Gradients of sum_i <out_i, u_i>.
        var loss: Tensor? = nil
        for (o, u) in zip(outs, c.upstream) {
            guard let u, o.requiresGrad else { continue }
            let term = try o.mul(try Self.tensor(u)).sum()
            loss = try loss.map { try $0.add(term) } ?? term
        }
        guard let loss else { return }
        try loss.backward()
        for (k, (x, want)) in zip(inputs, c.grads).enumerated() {
            guard let want else { continue }
            guard let g = x.grad else { Issue.record("\(name): no gradient for input \(k + 1)"); continue }
            if let m = Self.close(g, want, "\(name) grad \(k + 1)") { Issue.record(Comment(rawValue: m)) }
        }
    }
}
