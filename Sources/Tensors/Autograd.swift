#if canImport(Glibc)
import Glibc
#endif

/// The define-by-run autograd tape.
///
/// Every differentiable op calls `Tensor.record(...)` on its output: when grad mode is on and any
/// input requires grad, the output gets a `GradNode` holding the inputs and a closure from the
/// output's gradient to the inputs' gradients. `backward()` walks the nodes in reverse
/// topological order, accumulates into leaves' `.grad`, and frees the closures (so a second
/// backward through the same graph is an error, as in PyTorch, not a wrong answer).
public final class GradNode {
    public let name: String
    /// The op's inputs, in the order the backward closure returns their gradients (emptied once
    /// backward has used the node).
    public private(set) var inputs: [Tensor]
    /// Maps the output's gradient to one gradient per input (nil: no gradient for that input).
    public private(set) var backward: ((Tensor) throws -> [Tensor?])?
    /// Where the op was called from (filled by the host for anomaly reports), optional.
    public var origin: String?
    /// Hooks registered on the tensor this node produced (`register_hook` on a non-leaf): they
    /// see its complete gradient before this node's backward runs.
    public var hooks: [GradHook] = []

    public init(name: String, inputs: [Tensor], backward: @escaping (Tensor) throws -> [Tensor?]) {
        self.name = name
        self.inputs = inputs
        self.backward = backward
    }

    /// Drops the closure and what it captured once backward has used it.
    public func release() {
        backward = nil
        inputs = []
    }

    /// A graph can be a chain 100k ops deep; freeing it recursively (tensor → node → input
    /// tensor → ...) would overflow the stack, so the chain is taken apart iteratively: every
    /// input this node holds the last reference to has its own node's inputs moved here first.
    deinit {
        backward = nil
        var pending = inputs
        inputs = []
        while var tensor = pending.popLast() {
            guard isKnownUniquelyReferenced(&tensor), var node = tensor.gradFn else { continue }
            tensor.gradFn = nil
            if isKnownUniquelyReferenced(&node) {
                node.backward = nil
                pending.append(contentsOf: node.inputs)
                node.inputs = []
            }
        }
    }
}

/// Whether ops record themselves for backward (`autograd.no_grad` turns it off).
///
/// Per thread, as in PyTorch: a `no_grad` block on one thread (a test, a data-loading worker)
/// must not switch recording off for another.
public enum GradMode {
    private static let disabledKey: pthread_key_t = {
        var key = pthread_key_t()
        pthread_key_create(&key, nil)
        return key
    }()

    public static var isEnabled: Bool {
        get { pthread_getspecific(disabledKey) == nil }
        set { pthread_setspecific(disabledKey, newValue ? nil : UnsafeRawPointer(bitPattern: 1)) }
    }

    /// Runs `body` with recording on, restoring the previous mode afterwards.
    public static func withGrad<T>(_ body: () throws -> T) rethrows -> T {
        let saved = isEnabled
        isEnabled = true
        defer { isEnabled = saved }
        return try body()
    }

    /// Runs `body` with recording off, restoring the previous mode afterwards.
    public static func withoutGrad<T>(_ body: () throws -> T) rethrows -> T {
        let saved = isEnabled
        isEnabled = false
        defer { isEnabled = saved }
        return try body()
    }
}

/// Anomaly detection (`autograd.detect_anomaly(true)`, `descent run --detect-anomaly`): every
/// differentiable op checks its output, and every backward step its gradients, for NaN/Inf, and
/// the first one found is an error naming the op and where it was called from.
public enum Anomaly {
    nonisolated(unsafe) public static var isEnabled = false
    /// Where the current op is being called from (the Lua host answers `script.lua:LINE`).
    nonisolated(unsafe) public static var origin: () -> String? = { nil }
    /// A forward anomaly found by `Tensor.record` (which cannot throw), raised by the host when
    /// the op returns.
    nonisolated(unsafe) public static var pending: String?

    /// Raises the pending forward anomaly, if any.
    public static func raisePending() throws {
        guard let message = pending else { return }
        pending = nil
        throw TensorError(message)
    }

    static func firstNonFinite(_ t: Tensor) -> Float? {
        var found: Float? = nil
        let base = t.storage.base
        t.forEachOffset { o in if found == nil, !base[o].isFinite { found = base[o] } }
        return found
    }

    static func describe(_ v: Float) -> String { v.isNaN ? "nan" : (v > 0 ? "inf" : "-inf") }

    /// Throws when the gradient `grad` that `node`'s backward produced holds a non-finite value.
    public static func checkBackward(_ node: GradNode, _ grad: Tensor, input: Int) throws {
        guard let bad = firstNonFinite(grad) else { return }
        let place = node.origin.map { " (the op was called at \($0))" } ?? ""
        throw TensorError("backward: anomaly detected: the backward of \(node.name)\(place) produced \(describe(bad)) in the gradient of its input \(input + 1)")
    }
}

extension Tensor {
    /// Marks `output` as produced by an op named `name` from `inputs`, when recording applies.
    /// Returns `output` for chaining: `return Tensor.record("mul", out, [a, b]) { g in ... }`.
    @discardableResult
    public static func record(
        _ name: String, _ output: Tensor, _ inputs: [Tensor],
        backward: @escaping (Tensor) throws -> [Tensor?]
    ) -> Tensor {
        // A view (expand, view, transpose...) makes no new values, and an expanded one can name
        // 2^40 elements of one float: only outputs with storage of their own are scanned.
        if Anomaly.isEnabled, !inputs.contains(where: { $0.storage === output.storage }),
           let bad = Anomaly.firstNonFinite(output), inputs.allSatisfy({ Anomaly.firstNonFinite($0) == nil }) {
            // Only the op that *produced* the first non-finite value is an anomaly.
            Anomaly.pending = "\(name): anomaly detected: the forward pass produced \(Anomaly.describe(bad)) from finite inputs (output shape \(describe(shape: output.shape)))"
        }
        guard GradMode.isEnabled, inputs.contains(where: { $0.requiresGrad }) else { return output }
        output.requiresGrad = true
        let node = GradNode(name: name, inputs: inputs, backward: backward)
        if Anomaly.isEnabled { node.origin = Anomaly.origin() }
        output.gradFn = node
        return output
    }
}
