import Optim
import Tensors
import Testing

/// State dicts keyed by parameter name: loading maps by name, whatever the order; missing or
/// unexpected names and shape mismatches are one error listing them.
@Suite struct NamedStateTests {
    func trained(_ names: [String], _ shapes: [[Int]]) throws -> (Optimizer, [Tensor]) {
        let params = try shapes.enumerated().map { try Formula.param($0.offset, shape: $0.element) }
        let opt = try Optimizers.build(name: "adam", groups: [ParamGroupSpec(params: params, names: names)], options: ["lr": .number(0.01)])
        for s in 1...3 {
            for (j, p) in params.enumerated() { p.grad = try Formula.grad(step: s, param: j, shape: p.shape) }
            try opt.step()
        }
        return (opt, params)
    }

    @Test func reorderedParametersGetTheirOwnState() throws {
        let (opt, params) = try trained(["w", "b"], [[2, 3], [3]])
        let saved = try opt.stateDict()
        #expect(saved.groups[0].names == ["w", "b"])
        // The same tensors listed the other way round: state follows the names.
        let other = try Optimizers.build(name: "adam", groups: [ParamGroupSpec(params: [params[1], params[0]], names: ["b", "w"])])
        try other.loadStateDict(saved)
        #expect(other.state(for: params[0])?.buffers["exp_avg"]?.toArray() == opt.state(for: params[0])?.buffers["exp_avg"]?.toArray())
        #expect(other.state(for: params[1])?.buffers["exp_avg"]?.shape == [3])
        #expect(other.state(for: params[1])?.step == 3)
    }

    @Test func namesThatDifferAreListed() throws {
        let (opt, _) = try trained(["w", "b"], [[2, 3], [3]])
        let saved = try opt.stateDict()
        let other = try Optimizers.build(name: "adam", groups: [ParamGroupSpec(params: [try Tensor.zeros([2, 3]), try Tensor.zeros([3])], names: ["w", "bias"])])
        #expect(throws: TensorError("Adam.loadStateDict: parameter names differ: missing from the state dict: bias; not parameters of this optimizer: b")) {
            try other.loadStateDict(saved)
        }
        let shapes = try Optimizers.build(name: "adam", groups: [ParamGroupSpec(params: [try Tensor.zeros([3, 2]), try Tensor.zeros([3])], names: ["w", "b"])])
        #expect(throws: TensorError("Adam.loadStateDict: state 'exp_avg' of parameter 'w' has shape [2, 3], expected [3, 2]; state 'exp_avg_sq' of parameter 'w' has shape [2, 3], expected [3, 2]")) {
            try shapes.loadStateDict(saved)
        }
        let unnamed = try Optimizers.build(name: "adam", params: [try Tensor.zeros([2, 3]), try Tensor.zeros([3])])
        #expect(throws: (any Error).self) { try unnamed.loadStateDict(saved) }
        #expect(throws: TensorError("Adam: parameter name 'w' appears more than once")) {
            try Optimizers.build(name: "adam", groups: [ParamGroupSpec(params: [try Tensor.zeros([1]), try Tensor.zeros([1])], names: ["w", "w"])])
        }
    }
}
