---@meta
-- descent's `linalg` module for lua-language-server: torch.linalg's names and return
-- conventions, batched over leading dims. Reference: docs/lua-api/linalg.md. Checked against
-- the running binary by Tests/EndToEndTests/StubsTests.swift.

---Options of `linalg.svd`.
---@class linalg.SvdOptions
---@field full_matrices? boolean U [..., m, m] and Vh [..., n, n] instead of the reduced factors (default false, unlike PyTorch)

---Options of `linalg.qr`.
---@class linalg.QrOptions
---@field mode? "reduced"|"complete"|"r" (default "reduced")

---Options of `linalg.cholesky`.
---@class linalg.CholeskyOptions
---@field upper? boolean return the upper factor Lᵀ (default false)

---Options of `linalg.solve`.
---@class linalg.SolveOptions
---@field left? boolean solve A·X = B (true, default) or X·A = B (false)

---Options of `linalg.solve_triangular` (`upper` is required).
---@class linalg.SolveTriangularOptions
---@field upper boolean A is upper (true) or lower (false) triangular; only that triangle is read
---@field left? boolean solve A·X = B (true, default) or X·A = B (false)
---@field unitriangular? boolean take A's diagonal to be ones (default false)

---Options of `linalg.lstsq`.
---@class linalg.LstsqOptions
---@field rcond? number singular values below rcond·max(S) count as zero (default: float32 eps·max(m, n))

---@class linalglib
linalg = {}

---Eigenvalues (ascending) and eigenvectors (columns) of symmetric matrices; reads the lower triangle.
---@param A Tensor [..., n, n]
---@return Tensor eigenvalues [..., n]
---@return Tensor eigenvectors [..., n, n]
function linalg.eigh(A) end

---Singular value decomposition A = U·diag(S)·Vh, S descending (reduced by default).
---@param A Tensor [..., m, n]
---@param opts? linalg.SvdOptions
---@return Tensor U
---@return Tensor S
---@return Tensor Vh
function linalg.svd(A, opts) end

---QR decomposition A = Q·R (Q is an empty tensor with mode "r"). Not differentiable.
---@param A Tensor [..., m, n]
---@param opts? linalg.QrOptions
---@return Tensor Q
---@return Tensor R
function linalg.qr(A, opts) end

---Cholesky factor L (A = L·Lᵀ) of positive-definite matrices; reads the lower triangle.
---@param A Tensor [..., n, n]
---@param opts? linalg.CholeskyOptions
---@return Tensor
function linalg.cholesky(A, opts) end

---Solves A·X = B (or X·A = B); B may be a vector or a batch of vectors.
---@param A Tensor [..., n, n]
---@param B Tensor [..., n, k] or [..., n]
---@param opts? linalg.SolveOptions
---@return Tensor
function linalg.solve(A, B, opts) end

---Solves A·X = B (or X·A = B) for triangular A.
---@param A Tensor [..., n, n]
---@param B Tensor [..., n, k] ([..., k, n] when left = false)
---@param opts linalg.SolveTriangularOptions
---@return Tensor
function linalg.solve_triangular(A, B, opts) end

---The inverse of square matrices (singular ones are errors).
---@param A Tensor [..., n, n]
---@return Tensor
function linalg.inv(A) end

---Determinants (0 for singular matrices).
---@param A Tensor [..., n, n]
---@return Tensor
function linalg.det(A) end

---Sign and log of the absolute value of the determinant.
---@param A Tensor [..., n, n]
---@return Tensor sign
---@return Tensor logabsdet
function linalg.slogdet(A) end

---Least-squares solutions by SVD (gelsd). Not differentiable.
---@param A Tensor [..., m, n]
---@param B Tensor [..., m, k]
---@param opts? linalg.LstsqOptions
---@return Tensor solution [..., n, k]
---@return Tensor residuals [..., k] when m > n and A has full rank, else empty
---@return Tensor rank [...]
---@return Tensor singular_values [..., min(m, n)]
function linalg.lstsq(A, B, opts) end

---A matrix norm: "fro" (default), "nuc", 1, -1, 2, -2, math.huge, -math.huge (or "inf", "-inf").
---@param A Tensor
---@param ord? "fro"|"nuc"|"inf"|"-inf"|number
---@param dim? integer[] the two matrix dims (default {-2, -1})
---@param keepdim? boolean
---@return Tensor
function linalg.matrix_norm(A, ord, dim, keepdim) end

---A vector norm (Σ|x|^ord)^(1/ord) over `dim` (all dims by default); inf, -inf and 0 as in PyTorch.
---@param x Tensor
---@param ord? number|"inf"|"-inf" (default 2)
---@param dim? integer|integer[]
---@param keepdim? boolean
---@return Tensor
function linalg.vector_norm(x, ord, dim, keepdim) end

---A^n for square matrices (n = 0: identities; n < 0: powers of the inverse).
---@param A Tensor [..., n, n]
---@param n integer
---@return Tensor
function linalg.matrix_power(A, n) end
