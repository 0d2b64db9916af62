import Tensors

/// The functional layers and losses (PyTorch's `torch.nn.functional`): each validates its input,
/// runs a fused kernel over raw pointers and records its own backward.
///
/// ```swift
/// let y = try Functional.linear(x, weight: w, bias: b)
/// let loss = try Functional.crossEntropy(y, labels: labels)
/// ```
public enum Functional {}

// Module-internal helpers shared by the kernels. Free functions with distinct names so they never
// collide with the ops that module Tensors adds to `Tensor`.

/// A new contiguous tensor with uninitialised contents.
@inline(__always)
func newTensor(_ shape: [Int]) throws -> Tensor { try Tensor(uninitializedShape: shape) }

/// A new contiguous tensor of zeros.
func zeroTensor(_ shape: [Int]) throws -> Tensor {
    let t = try Tensor(uninitializedShape: shape)
    t.pointer.initialize(repeating: 0, count: t.count)
    return t
}

/// A 0-d tensor holding `value`.
func scalarTensor(_ value: Float) throws -> Tensor {
    let t = try Tensor(uninitializedShape: [])
    t.pointer.pointee = value
    return t
}

/// The values of `t` in a dense row-major buffer (no autograd; `t` itself when already dense).
@inline(__always)
func dense(_ t: Tensor) throws -> Tensor { try t.contiguousData() }

/// Normalises a dimension-list argument (`[k]` or `[kh, kw]`) to a pair, for kernel sizes,
/// strides, paddings and dilations.
/// The largest kernel size, stride, padding or dilation a window op accepts.
let windowLimit = 1 << 31

func pair(_ values: [Int], _ what: String, op: String, min: Int) throws -> (Int, Int) {
    let p: (Int, Int)
    switch values.count {
    case 1: p = (values[0], values[0])
    case 2: p = (values[0], values[1])
    default: throw TensorError("\(op): expected \(what) as 1 or 2 integers, got \(values.count)")
    }
    guard p.0 >= min, p.1 >= min else {
        throw TensorError("\(op): expected \(what) >= \(min), got \(describe(shape: values))")
    }
    // Window arithmetic (`d * (k - 1)`, `2 * p`) runs unchecked in release builds: bound every
    // size so that it cannot overflow (and a window wider than 2^31 cannot fit any tensor).
    guard p.0 <= windowLimit, p.1 <= windowLimit else {
        throw TensorError("\(op): expected \(what) <= \(windowLimit), got \(describe(shape: values))")
    }
    return p
}

/// Runs `body` over `t`'s elements as one dense buffer: `t`'s own memory when contiguous, else a
/// copy that is written back into `t` when `write` is set (in-place ops on strided views).
func withDenseBuffer(_ t: Tensor, write: Bool = false, _ body: (UnsafeMutablePointer<Float>, Int) -> Void) throws {
    if t.isContiguous { body(t.pointer, t.count); return }
    let tmp = try t.contiguousData()
    body(tmp.pointer, t.count)
    guard write else { return }
    var src = tmp.pointer
    let base = t.storage.base
    t.forEachOffset { o in base[o] = src.pointee; src += 1 }
}

/// A heap buffer of Int32 (max-pool winners) freed with its owner; its pointer is valid even
/// when `count` is 0, unlike an empty Array's base address.
final class IndexBuffer {
    let pointer: UnsafeMutablePointer<Int32>
    init(count: Int) { pointer = .allocate(capacity: max(count, 1)) }
    deinit { pointer.deallocate() }
}
