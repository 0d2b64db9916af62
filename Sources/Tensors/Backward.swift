/// The backward pass: walks the `GradNode` graph from outputs to leaves in reverse topological
/// order (iteratively, so 10k-deep graphs do not overflow the stack), accumulating one gradient
/// per node and per leaf in dictionaries keyed by `ObjectIdentifier`, and freeing each node's
/// closure and gradient as soon as they are consumed.
public enum Autograd {
    /// Gradients of `outputs` (weighted by `gradOutputs`, default 1 for one-element outputs) with
    /// respect to `inputs`, without touching any `.grad`. An input the outputs do not depend on
    /// gets nil (an error unless `allowUnused`). With `retainGraph`, the graph can be walked
    /// again. With `createGraph`, the backward pass records itself, so the gradients can be
    /// differentiated again (gradients of gradients); `retainGraph` then defaults to true.
    ///
    /// ```swift
    /// let y = try x.mul(x).mul(x).sum()
    /// let dx = try Autograd.grad(outputs: [y], inputs: [x], createGraph: true)[0]!   // 3x²
    /// let ddx = try Autograd.grad(outputs: [dx.sum()], inputs: [x])[0]             // 6x
    /// ```
    public static func grad(
        outputs: [Tensor], inputs: [Tensor], gradOutputs: [Tensor]? = nil, retainGraph: Bool? = nil,
        createGraph: Bool = false, allowUnused: Bool = true, stopAtInputs: Bool = false
    ) throws -> [Tensor?] {
        let retainGraph = retainGraph ?? createGraph
        if outputs.contains(where: { $0.gradFn.map { $0.backward == nil } ?? false }) {
            throw TensorError("grad: the graph was already freed (a second backward through the same graph); pass retain_graph = true to the first backward to keep it")
        }
        var engine = try Engine(outputs: outputs, gradOutputs: gradOutputs, op: "grad",
                                stopAt: stopAtInputs ? Set(inputs.compactMap { $0.gradFn }.map(ObjectIdentifier.init)) : [])
        var wanted = [ObjectIdentifier: Tensor?]()
        for t in inputs {
            if let node = t.gradFn { wanted[ObjectIdentifier(node)] = .some(nil) }
        }
        engine.restrict(toReach: inputs)
        try engine.run(retainGraph: retainGraph, createGraph: createGraph) { node, g in
            let id = ObjectIdentifier(node)
            if wanted[id] != nil { wanted[id] = .some(g) }
        }
        var result = [Tensor?]()
        for (k, t) in inputs.enumerated() {
            var g: Tensor?
            if let node = t.gradFn {
                g = wanted[ObjectIdentifier(node)] ?? nil
            } else {
                g = engine.leafGrads[ObjectIdentifier(t)]
                if let found = g { g = try Hooks.run(t.hooks, found, createGraph: createGraph) }
            }
            if g == nil && !allowUnused {
                throw TensorError("grad: input \(k + 1) was not used to compute the outputs (pass allow_unused = true to get nil for it)")
            }
            result.append(g)
        }
        return result
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
    ///
    /// With `createGraph`, the backward pass records itself: each leaf's `.grad` then carries a
    /// graph (accumulated out of place), so it can be differentiated again.
    public func backward(_ gradient: Tensor? = nil, retainGraph: Bool? = nil, createGraph: Bool = false) throws {
        var engine = try Engine(outputs: [self], gradOutputs: gradient.map { [$0] }, op: "backward")
        try engine.run(retainGraph: retainGraph ?? createGraph, createGraph: createGraph) { _, _ in }
        // Leaf hooks see (and may replace) each leaf's total gradient before it is accumulated.
        var finals = [(Tensor, Tensor)]()
        for leaf in engine.leaves {
            guard let g = engine.leafGrads.removeValue(forKey: ObjectIdentifier(leaf)) else { continue }
            finals.append((leaf, try Hooks.run(leaf.hooks, g, createGraph: createGraph)))
        }
        // Write leaves only after the whole pass succeeded, so a failing backward changes nothing.
        // Each gradient is taken out of `finals` (popped, in the original order) so that the
        // hand-off below can see it has the only reference: iterating the array kept a second
        // one alive, and every weight gradient was copied (6 % of the mnist5k MLP loop).
        finals.reverse()
        while case (let leaf, var g)? = finals.popLast() {
            if createGraph {
                // Out of place, keeping the graph of both terms (as PyTorch with create_graph).
                if let existing = leaf.grad, existing.shape == g.shape {
                    leaf.grad = try GradMode.withGrad { try existing.add(g) }
                } else {
                    leaf.grad = g.gradFn == nil && !g.requiresGrad ? try g.copyData() : g
                }
                continue
            }
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

    init(outputs: [Tensor], gradOutputs: [Tensor]?, op: String, stopAt: Set<ObjectIdentifier> = []) throws {
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
        order = Engine.topologicalOrder(outputs.compactMap { $0.gradFn }, stopAt: stopAt)
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
    /// Nodes in `stopAt` are listed but not descended into (their producers are left out).
    static func topologicalOrder(_ roots: [GradNode], stopAt: Set<ObjectIdentifier> = []) -> [GradNode] {
        var visited = Set<ObjectIdentifier>()
        var post = [GradNode]()
        var stack = [(node: GradNode, next: Int)]()
        for root in roots where visited.insert(ObjectIdentifier(root)).inserted {
            stack.append((root, 0))
            while let top = stack.last {
                let inputs = !stopAt.isEmpty && stopAt.contains(ObjectIdentifier(top.node)) ? [] : top.node.inputs
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

    /// Adds `g` to the gradient stored under `id`. A stored tensor may alias others (a seed, a
    /// gradient handed on to two inputs): it is summed into in place only when the engine holds
    /// the only reference to it and its storage (`isSoleOwner`), else into a new tensor. While a
    /// backward records itself (grad mode on), the sum is a recorded `add`.
    static func accumulate(_ grads: inout [ObjectIdentifier: Tensor], _ id: ObjectIdentifier, _ g: Tensor) throws {
        guard var existing = grads.removeValue(forKey: id) else {
            grads[id] = g
            return
        }
        if GradMode.isEnabled && (existing.requiresGrad || g.requiresGrad) {
            grads[id] = try existing.add(g)
        } else if existing.shape == g.shape && Tensor.isSoleOwner(&existing) {
            // A gradient only the engine holds (a backward's fresh result): summed into in place.
            Tensor.stridedAdd(into: existing, from: g)
            grads[id] = existing
        } else {
            grads[id] = try Tensor.sumOfSameShape(existing, g)
        }
    }

    /// Runs every node's backward once; `visit` sees each node with its complete output gradient.
    ///
    /// With `createGraph` the closures run with grad mode on, so the differentiable formulas they
    /// use record the backward pass itself (as PyTorch); otherwise grad mode is off and nothing
    /// is recorded (the fast kernels run).
    mutating func run(retainGraph: Bool, createGraph: Bool = false, visit: (GradNode, Tensor) -> Void) throws {
        let saved = GradMode.isEnabled
        GradMode.isEnabled = createGraph
        defer { GradMode.isEnabled = saved }
        for node in order {
            let runs = mustRun?.contains(ObjectIdentifier(node)) ?? true
            guard var g = nodeGrads.removeValue(forKey: ObjectIdentifier(node)) else {
                if !retainGraph && runs { node.release() }
                continue
            }
            if !node.hooks.isEmpty { g = try Hooks.run(node.hooks, g, createGraph: createGraph) }
            visit(node, g)
            if !runs { continue }  // outside the requested subgraph: left intact
            guard let backward = node.backward else {
                throw TensorError("backward: the graph was already freed (a second backward through the same graph); pass retain_graph = true to the first backward to keep it")
            }
            let grads = try backward(g)
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
