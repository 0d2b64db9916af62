/// The backward pass: walks the `GradNode` graph from outputs to leaves in reverse topological
/// order (iteratively, so 10k-deep graphs do not overflow the stack), accumulating one gradient
/// per node and per leaf in dictionaries keyed by `ObjectIdentifier`, and freeing each node's
/// closure and gradient as soon as they are consumed.
public enum Autograd {
    /// Gradients of `outputs` (weighted by `gradOutputs`, default 1 for one-element outputs) with
    /// respect to `inputs`, without touching any `.grad`. An input the outputs do not depend on
    /// gets nil. With `retainGraph`, the graph can be walked again.
    ///
    /// ```swift
    /// let y = try x.mul(x).sum()
    /// let dx = try Autograd.grad(outputs: [y], inputs: [x])[0]   // 2x
    /// ```
    public static func grad(
        outputs: [Tensor], inputs: [Tensor], gradOutputs: [Tensor]? = nil, retainGraph: Bool = false
    ) throws -> [Tensor?] {
        if outputs.contains(where: { $0.gradFn.map { $0.backward == nil } ?? false }) {
            throw TensorError("grad: the graph was already freed (a second backward through the same graph); pass retain_graph = true to the first backward to keep it")
        }
        var engine = try Engine(outputs: outputs, gradOutputs: gradOutputs, op: "grad")
        var wanted = [ObjectIdentifier: Tensor?]()
        for t in inputs {
            if let node = t.gradFn { wanted[ObjectIdentifier(node)] = .some(nil) }
        }
        engine.restrict(toReach: inputs)
        try engine.run(retainGraph: retainGraph) { node, g in
            let id = ObjectIdentifier(node)
            if wanted[id] != nil { wanted[id] = .some(g) }
        }
        return inputs.map { t in
            if let node = t.gradFn { return wanted[ObjectIdentifier(node)] ?? nil }
            return engine.leafGrads[ObjectIdentifier(t)]
        }
    }
}

extension Tensor {
    /// Computes the gradient of `self` with respect to every leaf that requires grad and adds it
    /// to the leaf's `.grad`. Without `gradient`, `self` must have one element (seed 1).
    /// The graph is freed afterwards unless `retainGraph` is true.
    ///
    /// ```swift
    /// let loss = try model(x).sub(y).square().mean()
    /// try loss.backward()
    /// ```
    public func backward(_ gradient: Tensor? = nil, retainGraph: Bool = false) throws {
        var engine = try Engine(outputs: [self], gradOutputs: gradient.map { [$0] }, op: "backward")
        try engine.run(retainGraph: retainGraph) { _, _ in }
        // Write leaves only after the whole pass succeeded, so a failing backward changes nothing.
        for leaf in engine.leaves {
            guard var g = engine.leafGrads.removeValue(forKey: ObjectIdentifier(leaf)) else { continue }
            if let existing = leaf.grad, existing.shape == g.shape {
                // In place, as PyTorch; a user-assigned expanded grad (shared elements) is
                // replaced by the sum instead.
                if zip(existing.shape, existing.strides).contains(where: { $0 > 1 && $1 == 0 }) {
                    leaf.grad = try Tensor.sumOfSameShape(existing, g)
                } else {
                    Tensor.stridedAdd(into: existing, from: g)
                }
            } else {
                // The engine's gradient may alias other tensors (add's backward hands the same
                // tensor to both inputs; a pass-through op hands on the caller's seed): it becomes
                // `.grad` itself only when nothing else can see it, else a copy. (Saves a copy of
                // every weight gradient per step: 9 % of the mnist5k MLP loop.)
                leaf.grad = try Tensor.isSoleOwner(&g) ? g : g.copyData()
            }
        }
    }
}

extension Tensor {
    /// True when `t` is the only reference to its tensor object and to its whole, dense storage,
    /// with no autograd state: then nobody else can observe it, and it can be handed on instead
    /// of copied.
    static func isSoleOwner(_ t: inout Tensor) -> Bool {
        guard isKnownUniquelyReferenced(&t), t.offset == 0, t.isContiguous, t.storage.count == t.count,
              t.gradFn == nil, !t.requiresGrad, t.grad == nil else { return false }
        return isKnownUniquelyReferenced(&t.storage)
    }
}

/// One backward pass over the graph reachable from some outputs.
struct Engine {
    /// Nodes in reverse topological order (outputs first).
    var order: [GradNode] = []
    var nodeGrads: [ObjectIdentifier: Tensor] = [:]
    var leafGrads: [ObjectIdentifier: Tensor] = [:]
    /// Leaves requiring grad, in first-reached order.
    var leaves: [Tensor] = []
    /// When set, only these nodes run their backward (see `restrict`).
    var mustRun: Set<ObjectIdentifier>? = nil

    init(outputs: [Tensor], gradOutputs: [Tensor]?, op: String) throws {
        if let gradOutputs, gradOutputs.count != outputs.count {
            throw TensorError("\(op): got \(gradOutputs.count) gradients for \(outputs.count) outputs")
        }
        var leafSeen = Set<ObjectIdentifier>()
        for (i, out) in outputs.enumerated() {
            guard out.requiresGrad || out.gradFn != nil else {
                throw TensorError("\(op): the tensor does not require grad and has no grad_fn (was it computed from tensors with requires_grad, outside no_grad?)")
            }
            let seed: Tensor
            if let g = gradOutputs?[i] {
                guard g.shape == out.shape else {
                    throw TensorError("\(op): gradient shape \(describe(shape: g.shape)) does not match output shape \(describe(shape: out.shape))")
                }
                seed = g
            } else {
                guard out.count == 1 else {
                    throw TensorError("\(op): grad can be implicitly created only for scalar outputs, got shape \(describe(shape: out.shape))")
                }
                seed = try Tensor.filled(out.shape, 1)
            }
            if let node = out.gradFn {
                try Engine.accumulate(&nodeGrads, ObjectIdentifier(node), seed)
            } else {
                if leafSeen.insert(ObjectIdentifier(out)).inserted { leaves.append(out) }
                try Engine.accumulate(&leafGrads, ObjectIdentifier(out), seed)
            }
        }
        order = Engine.topologicalOrder(outputs.compactMap { $0.gradFn })
        for node in order {
            for input in node.inputs where input.gradFn == nil && input.requiresGrad {
                if leafSeen.insert(ObjectIdentifier(input)).inserted { leaves.append(input) }
            }
        }
    }

    /// Runs only the nodes on a path to one of `targets` (as PyTorch's `autograd.grad` does), so
    /// parts of the graph that an earlier pass freed can be left alone.
    mutating func restrict(toReach targets: [Tensor]) {
        let leafTargets = Set(targets.filter { $0.gradFn == nil }.map(ObjectIdentifier.init))
        let nodeTargets = Set(targets.compactMap { $0.gradFn }.map(ObjectIdentifier.init))
        var run = Set<ObjectIdentifier>()
        // `order` lists consumers before producers; walk it backwards so producers come first.
        for node in order.reversed() {
            let needed = node.inputs.contains { input in
                if let p = input.gradFn {
                    let id = ObjectIdentifier(p)
                    return nodeTargets.contains(id) || run.contains(id)
                }
                return leafTargets.contains(ObjectIdentifier(input))
            }
            if needed { run.insert(ObjectIdentifier(node)) }
        }
        mustRun = run
    }

    /// Reverse post-order of an iterative depth-first search: every node comes before the nodes
    /// that produced its inputs.
    static func topologicalOrder(_ roots: [GradNode]) -> [GradNode] {
        var visited = Set<ObjectIdentifier>()
        var post = [GradNode]()
        var stack = [(node: GradNode, next: Int)]()
        for root in roots where visited.insert(ObjectIdentifier(root)).inserted {
            stack.append((root, 0))
            while let top = stack.last {
                let inputs = top.node.inputs
                var i = top.next
                var pushed = false
                while i < inputs.count {
                    let child = inputs[i].gradFn
                    i += 1
                    if let child, visited.insert(ObjectIdentifier(child)).inserted {
                        stack[stack.count - 1].next = i
                        stack.append((child, 0))
                        pushed = true
                        break
                    }
                }
                if !pushed {
                    post.append(top.node)
                    stack.removeLast()
                }
            }
        }
        return post.reversed()
    }

    /// Adds `g` to the gradient stored under `id`, never mutating a stored tensor (it may alias).
    static func accumulate(_ grads: inout [ObjectIdentifier: Tensor], _ id: ObjectIdentifier, _ g: Tensor) throws {
        if let existing = grads[id] {
            grads[id] = try Tensor.sumOfSameShape(existing, g)
        } else {
            grads[id] = g
        }
    }

    /// Runs every node's backward once; `visit` sees each node with its complete output gradient.
    mutating func run(retainGraph: Bool, visit: (GradNode, Tensor) -> Void) throws {
        for node in order {
            let runs = mustRun?.contains(ObjectIdentifier(node)) ?? true
            guard let g = nodeGrads.removeValue(forKey: ObjectIdentifier(node)) else {
                if !retainGraph && runs { node.release() }
                continue
            }
            visit(node, g)
            if !runs { continue }  // outside the requested subgraph: left intact
            guard let backward = node.backward else {
                throw TensorError("backward: the graph was already freed (a second backward through the same graph); pass retain_graph = true to the first backward to keep it")
            }
            let grads = try GradMode.withoutGrad { try backward(g) }
            let inputs = node.inputs
            if !retainGraph { node.release() }
            guard grads.count == inputs.count else {
                throw TensorError("backward: op \(node.name) returned \(grads.count) gradients for \(inputs.count) inputs")
            }
            for (k, (input, grad)) in zip(inputs, grads).enumerated() {
                guard let grad, input.requiresGrad || input.gradFn != nil else { continue }
                if Anomaly.isEnabled { try Anomaly.checkBackward(node, grad, input: k) }
                guard grad.shape == input.shape else {
                    throw TensorError("backward: op \(node.name) returned a gradient of shape \(describe(shape: grad.shape)) for an input of shape \(describe(shape: input.shape))")
                }
                if let producer = input.gradFn {
                    try Engine.accumulate(&nodeGrads, ObjectIdentifier(producer), grad)
                } else {
                    try Engine.accumulate(&leafGrads, ObjectIdentifier(input), grad)
                }
            }
        }
    }
}
