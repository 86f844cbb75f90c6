// AssemblyScript source of the lab's WebAssembly SIMD matmul (compiled by `npm run build:kernels` into
// ../kernelsWasm.ts): every BatchMatMul of the step — batched, transposed or not — in a packed 4×8 micro-kernel.
//
// It runs on tfjs-wasm's own linear memory (imported as env.memory), reading and writing tensors in place at the
// offsets tfjs gives them. Each output is one float32 accumulator summed over k = 0 … K−1 in order, so a result is
// the same on every run (and within float32 rounding of any other order). Not type-checked by tsc: AssemblyScript
// types (f32, usize, v128) and builtins (load, store, f32x4.*) are its own.

// Two builds of this source (scripts/lib/kernels.ts): SIMD128, and relaxed SIMD (`--enable relaxed-simd`), where each
// accumulation is `f32x4.relaxed_madd` — one fused multiply-add where the engine and CPU have FMA, else the same
// multiply then add. A fused step rounds once instead of twice, so the two builds agree within float32 rounding, not to
// the bit; each build on its own is deterministic (the same engine and CPU give the same sums on every run).

/** c + a·b: fused where the relaxed build runs on FMA hardware, else a·b rounded, then added (the SIMD128 build). */
@inline function madd(a: v128, b: v128, c: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) return f32x4.relaxed_madd(a, b, c);
  return f32x4.add(c, f32x4.mul(a, b));
}

// Packed operands (scratch, float32):
//   Ap [ceil(M/4)][K][4]  rows i = 4·ib + r of op(A), zero past M
//   Bp [ceil(N/8)][K][8]  cols j = 8·jb + c of op(B), zero past N
//   tile [4][8]           the edge tile before its valid part is copied out

/** op(A)[i, k] for A stored [M, K] (transA 0) or [K, M] (transA 1), packed into Ap. */
function packA(a: usize, ap: usize, M: i32, K: i32, transA: i32): void {
  const blocks = (M + 3) >> 2;
  if (transA) {
    // A [K, M]: row k holds op(A)[·, k]; 4 consecutive i are one block's 4 lanes — a v128 each, read along the row
    const full = M >> 2;
    for (let k = 0; k < K; k++) {
      const row = a + <usize>k * <usize>M * 4;
      for (let ib = 0; ib < full; ib++) v128.store(ap + (<usize>ib * <usize>K + <usize>k) * 16, v128.load(row + <usize>ib * 16));
      if (full < blocks) {
        const dst = ap + (<usize>full * <usize>K + <usize>k) * 16;
        for (let r = 0; r < 4; r++) {
          const i = full * 4 + r;
          store<f32>(dst + <usize>r * 4, i < M ? load<f32>(row + <usize>i * 4) : 0);
        }
      }
    }
    return;
  }
  for (let ib = 0; ib < blocks; ib++) {
    const base = ap + (<usize>ib * <usize>K) * 16;
    for (let r = 0; r < 4; r++) {
      const i = ib * 4 + r;
      if (i >= M) {
        for (let k = 0; k < K; k++) store<f32>(base + (<usize>k * 4 + <usize>r) * 4, 0);
      } else {
        const row = a + <usize>i * <usize>K * 4;
        for (let k = 0; k < K; k++) store<f32>(base + (<usize>k * 4 + <usize>r) * 4, load<f32>(row + <usize>k * 4));
      }
    }
  }
}

/** op(B)[k, j] for B stored [K, N] (transB 0) or [N, K] (transB 1), packed into Bp. */
function packB(b: usize, bp: usize, N: i32, K: i32, transB: i32): void {
  const blocks = (N + 7) >> 3;
  for (let jb = 0; jb < blocks; jb++) {
    const base = bp + (<usize>jb * <usize>K) * 32;
    const j0 = jb * 8;
    const full = j0 + 8 <= N;
    if (full && !transB) {
      for (let k = 0; k < K; k++) {
        const src = b + (<usize>k * <usize>N + <usize>j0) * 4;
        const dst = base + <usize>k * 32;
        v128.store(dst, v128.load(src));
        v128.store(dst + 16, v128.load(src + 16));
      }
      continue;
    }
    for (let c = 0; c < 8; c++) {
      const j = j0 + c;
      if (j >= N) {
        for (let k = 0; k < K; k++) store<f32>(base + (<usize>k * 8 + <usize>c) * 4, 0);
      } else if (transB) {
        const row = b + <usize>j * <usize>K * 4;
        for (let k = 0; k < K; k++) store<f32>(base + (<usize>k * 8 + <usize>c) * 4, load<f32>(row + <usize>k * 4));
      } else {
        for (let k = 0; k < K; k++) store<f32>(base + (<usize>k * 8 + <usize>c) * 4, load<f32>(b + (<usize>k * <usize>N + <usize>j) * 4));
      }
    }
  }
}

/** Stores a 4×8 block of C at row i0, column j0: straight into `out` when it fits, else through `tile` (row-major
 *  4×8 scratch) for the rows and columns inside M × N. */
@inline function storeTile(
  out: usize, tile: usize, M: i32, N: i32, i0: i32, j0: i32,
  c00: v128, c01: v128, c10: v128, c11: v128, c20: v128, c21: v128, c30: v128, c31: v128
): void {
  if (i0 + 4 <= M && j0 + 8 <= N) {
    const o = out + (<usize>i0 * <usize>N + <usize>j0) * 4;
    const stride = <usize>N * 4;
    v128.store(o, c00);
    v128.store(o, c01, 16);
    v128.store(o + stride, c10);
    v128.store(o + stride, c11, 16);
    v128.store(o + 2 * stride, c20);
    v128.store(o + 2 * stride, c21, 16);
    v128.store(o + 3 * stride, c30);
    v128.store(o + 3 * stride, c31, 16);
  } else {
    v128.store(tile, c00);
    v128.store(tile, c01, 16);
    v128.store(tile, c10, 32);
    v128.store(tile, c11, 48);
    v128.store(tile, c20, 64);
    v128.store(tile, c21, 80);
    v128.store(tile, c30, 96);
    v128.store(tile, c31, 112);
    const rows = min(4, M - i0);
    const cols = min(8, N - j0);
    for (let r = 0; r < rows; r++) {
      for (let c = 0; c < cols; c++) {
        store<f32>(out + (<usize>(i0 + r) * <usize>N + <usize>(j0 + c)) * 4, load<f32>(tile + (<usize>r * 8 + <usize>c) * 4));
      }
    }
  }
}

/** out[i, j] = Σ_k Ap · Bp for every 4×8 tile; edge tiles go through `tile` and only their valid part is written. */
function compute(ap: usize, bp: usize, out: usize, M: i32, N: i32, K: i32, tile: usize): void {
  const mBlocks = (M + 3) >> 2;
  const nBlocks = (N + 7) >> 3;
  for (let jb = 0; jb < nBlocks; jb++) {
    const bPanel = bp + (<usize>jb * <usize>K) * 32;
    for (let ib = 0; ib < mBlocks; ib++) {
      let pa = ap + (<usize>ib * <usize>K) * 16;
      let pb = bPanel;
      let c00 = f32x4.splat(0), c01 = f32x4.splat(0);
      let c10 = f32x4.splat(0), c11 = f32x4.splat(0);
      let c20 = f32x4.splat(0), c21 = f32x4.splat(0);
      let c30 = f32x4.splat(0), c31 = f32x4.splat(0);
      for (let k = 0; k < K; k++) {
        const b0 = v128.load(pb);
        const b1 = v128.load(pb, 16);
        const a0 = v128.load32_splat(pa);
        const a1 = v128.load32_splat(pa, 4);
        const a2 = v128.load32_splat(pa, 8);
        const a3 = v128.load32_splat(pa, 12);
        c00 = madd(a0, b0, c00);
        c01 = madd(a0, b1, c01);
        c10 = madd(a1, b0, c10);
        c11 = madd(a1, b1, c11);
        c20 = madd(a2, b0, c20);
        c21 = madd(a2, b1, c21);
        c30 = madd(a3, b0, c30);
        c31 = madd(a3, b1, c31);
        pa += 16;
        pb += 32;
      }
      storeTile(out, tile, M, N, ib * 4, jb * 8, c00, c01, c10, c11, c20, c21, c30, c31);
    }
  }
}

/**
 * compute() for A [M, K] read in place (rows contiguous in k, not packed): the same sums in the same order; rows past M
 * repeat row M−1 (their sums land in `tile` and are dropped).
 */
function computeDirect(a: usize, bp: usize, out: usize, M: i32, N: i32, K: i32, tile: usize): void {
  const mBlocks = (M + 3) >> 2;
  const nBlocks = (N + 7) >> 3;
  for (let jb = 0; jb < nBlocks; jb++) {
    const bPanel = bp + (<usize>jb * <usize>K) * 32;
    for (let ib = 0; ib < mBlocks; ib++) {
      const rowBytes = <usize>K * 4;
      let pa0 = a + <usize>min(ib * 4, M - 1) * rowBytes;
      let pa1 = a + <usize>min(ib * 4 + 1, M - 1) * rowBytes;
      let pa2 = a + <usize>min(ib * 4 + 2, M - 1) * rowBytes;
      let pa3 = a + <usize>min(ib * 4 + 3, M - 1) * rowBytes;
      let pb = bPanel;
      let c00 = f32x4.splat(0), c01 = f32x4.splat(0);
      let c10 = f32x4.splat(0), c11 = f32x4.splat(0);
      let c20 = f32x4.splat(0), c21 = f32x4.splat(0);
      let c30 = f32x4.splat(0), c31 = f32x4.splat(0);
      for (let k = 0; k < K; k++) {
        const b0 = v128.load(pb);
        const b1 = v128.load(pb, 16);
        const a0 = v128.load32_splat(pa0);
        const a1 = v128.load32_splat(pa1);
        const a2 = v128.load32_splat(pa2);
        const a3 = v128.load32_splat(pa3);
        c00 = madd(a0, b0, c00);
        c01 = madd(a0, b1, c01);
        c10 = madd(a1, b0, c10);
        c11 = madd(a1, b1, c11);
        c20 = madd(a2, b0, c20);
        c21 = madd(a2, b1, c21);
        c30 = madd(a3, b0, c30);
        c31 = madd(a3, b1, c31);
        pa0 += 4;
        pa1 += 4;
        pa2 += 4;
        pa3 += 4;
        pb += 32;
      }
      storeTile(out, tile, M, N, ib * 4, jb * 8, c00, c01, c10, c11, c20, c21, c30, c31);
    }
  }
}

/** Bytes of scratch `matmul` needs for one [M, K]·[K, N] product. */
export function scratchBytes(M: i32, N: i32, K: i32): i32 {
  return (((M + 3) >> 2) * 4 * K + ((N + 7) >> 3) * 8 * K + 32) * 4;
}

/**
 * out[bi] = op(A[bi·aStride]) · op(B[bi·bStride]) for bi < batch; strides in elements (0 broadcasts one operand);
 * A is [M, K] ([K, M] when transA), B is [K, N] ([N, K] when transB), out is [batch, M, N]; scratch is 16-byte
 * aligned and holds scratchBytes(M, N, K). An operand with stride 0 is packed once; A untransposed is not packed
 * (its rows are read in place, 4 at a time).
 */
export function matmul(a: usize, b: usize, out: usize, batch: i32, aStride: i32, bStride: i32, M: i32, N: i32, K: i32, transA: i32, transB: i32, scratch: usize): void {
  const ap = scratch;
  const bp = ap + <usize>(((M + 3) >> 2) * 4 * K) * 4;
  const tile = bp + <usize>(((N + 7) >> 3) * 8 * K) * 4;
  for (let bi = 0; bi < batch; bi++) {
    const ab = a + <usize>bi * <usize>aStride * 4;
    const o = out + <usize>bi * <usize>M * <usize>N * 4;
    if (bi == 0 || bStride != 0) packB(b + <usize>bi * <usize>bStride * 4, bp, N, K, transB);
    if (!transA) {
      computeDirect(ab, bp, o, M, N, K, tile); // A's rows are contiguous in k: read in place
      continue;
    }
    if (bi == 0 || aStride != 0) packA(ab, ap, M, K, transA);
    compute(ap, bp, o, M, N, K, tile);
  }
}
