/// A gradient hook (`t:register_hook(fn)`): a function that sees the gradient of a tensor during
/// backward and may return a replacement (nil keeps it). `remove()` turns it off.
///
/// ```swift
/// let h = try x.registerHook { g in try g.mul(2) }   // doubles x's gradient
/// h.remove()
/// ```
public final class GradHook {
    private(set) var body: ((Tensor) throws -> Tensor?)?
    public var isRemoved: Bool { body == nil }

    init(_ body: @escaping (Tensor) throws -> Tensor?) { self.body = body }

    /// Stops the hook from running and drops the function (idempotent).
    public func remove() { body = nil }
}

enum Hooks {
    /// Passes `g` through every live hook in registration order; a hook's replacement must have
    /// the gradient's shape.
    static func run(_ hooks: [GradHook], _ g: Tensor, createGraph: Bool) throws -> Tensor {
        var g = g
        for hook in hooks {
            guard let body = hook.body, let replaced = try body(g) else { continue }
            guard replaced.shape == g.shape else {
                throw TensorError("register_hook: the hook returned a gradient of shape \(describe(shape: replaced.shape)) for a gradient of shape \(describe(shape: g.shape))")
            }
            g = replaced
        }
        return g
    }
}

extension Tensor {
    /// Registers `body` to run on this tensor's gradient in every later backward: for a leaf, on
    /// its total gradient before it is accumulated into `.grad`; for a computed tensor, on its
    /// total gradient before it flows further back. Throws when the tensor does not require grad.
    ///
    /// ```swift
    /// let h = try w.registerHook { g in try g.clamp(min: -1, max: 1) }
    /// ```
    @discardableResult
    public func registerHook(_ body: @escaping (Tensor) throws -> Tensor?) throws -> GradHook {
        guard requiresGrad || gradFn != nil else {
            throw TensorError("register_hook: cannot register a hook on a tensor that does not require grad")
        }
        let hook = GradHook(body)
        if let node = gradFn {
            node.hooks.removeAll { $0.isRemoved }
            node.hooks.append(hook)
        } else {
            hooks.removeAll { $0.isRemoved }
            hooks.append(hook)
        }
        return hook
    }
}
