/**
 * Differentiable sparse ops written in plain JS with `tf.customGrad`.
 *
 * On tfjs-backend-wasm 4.22.0 gathers cost about 20–50 ns per element (10–18 ms for a 4096×48
 * gather) and have no gradient kernel (`UnsortedSegmentSum` is missing), while this policy's
 * lookups are tiny and irregular (word bags, tool and candidate slots). A JS loop over the few
 * thousand rows involved is 5–20× faster and its gradient is a scatter-add into a fresh buffer.
 * Dense work (matmuls, tanh, softmax, the loss) stays in tfjs.
 */
import * as tf from "@tensorflow/tfjs";

// tfjs types the custom function as variadic over tensors and a save callback.
type CustomFn = Parameters<typeof tf.customGrad>[0];

/** Compressed rows: row r is `ids[offsets[r] .. offsets[r+1])` with `weights` of the same range. */
export interface Csr {
  ids: Int32Array;
  weights: Float32Array;
  offsets: Int32Array;
}

/** out[r] = Σ_j weights[j] · table[ids[j]] over row r's entries (a weighted embedding bag). */
export function embedBags(table: tf.Tensor2D, csr: Csr): tf.Tensor2D {
  const rows = csr.offsets.length - 1;
  const op = tf.customGrad(((t: tf.Tensor) => {
    const [u, d] = t.shape as [number, number];
    const src = t.dataSync() as Float32Array;
    const out = new Float32Array(rows * d);
    for (let r = 0; r < rows; r++) {
      const o = r * d;
      for (let j = csr.offsets[r]!; j < csr.offsets[r + 1]!; j++) {
        const w = csr.weights[j]!;
        const s = csr.ids[j]! * d;
        for (let k = 0; k < d; k++) out[o + k]! += w * src[s + k]!;
      }
    }
    return {
      value: tf.tensor2d(out, [rows, d]),
      gradFunc: (dy: tf.Tensor) => {
        const g = dy.dataSync() as Float32Array;
        const dt = new Float32Array(u * d);
        for (let r = 0; r < rows; r++) {
          const o = r * d;
          for (let j = csr.offsets[r]!; j < csr.offsets[r + 1]!; j++) {
            const w = csr.weights[j]!;
            const s = csr.ids[j]! * d;
            for (let k = 0; k < d; k++) dt[s + k]! += w * g[o + k]!;
          }
        }
        return [tf.tensor2d(dt, [u, d])];
      },
    };
  }) as unknown as CustomFn);
  return op(table) as tf.Tensor2D;
}

/** out[r] = table[idx[r]] (row gather with a scatter-add gradient). */
export function gatherRows(table: tf.Tensor2D, idx: Int32Array): tf.Tensor2D {
  const op = tf.customGrad(((t: tf.Tensor) => {
    const [u, d] = t.shape as [number, number];
    const src = t.dataSync() as Float32Array;
    const out = new Float32Array(idx.length * d);
    for (let r = 0; r < idx.length; r++) {
      const s = idx[r]! * d;
      const o = r * d;
      for (let k = 0; k < d; k++) out[o + k] = src[s + k]!;
    }
    return {
      value: tf.tensor2d(out, [idx.length, d]),
      gradFunc: (dy: tf.Tensor) => {
        const g = dy.dataSync() as Float32Array;
        const dt = new Float32Array(u * d);
        for (let r = 0; r < idx.length; r++) {
          const s = idx[r]! * d;
          const o = r * d;
          for (let k = 0; k < d; k++) dt[s + k]! += g[o + k]!;
        }
        return [tf.tensor2d(dt, [u, d])];
      },
    };
  }) as unknown as CustomFn);
  return op(table) as tf.Tensor2D;
}

/** out[p] = a[ai[p]] · b[bi[p]] (row-pair dot products). */
export function pairDots(a: tf.Tensor2D, b: tf.Tensor2D, ai: Int32Array, bi: Int32Array): tf.Tensor1D {
  const n = ai.length;
  const op = tf.customGrad(((x: tf.Tensor, y: tf.Tensor) => {
    const [ua, d] = x.shape as [number, number];
    const ub = y.shape[0]!;
    const xa = x.dataSync() as Float32Array;
    const yb = y.dataSync() as Float32Array;
    const out = new Float32Array(n);
    for (let p = 0; p < n; p++) {
      const s = ai[p]! * d;
      const t = bi[p]! * d;
      let acc = 0;
      for (let k = 0; k < d; k++) acc += xa[s + k]! * yb[t + k]!;
      out[p] = acc;
    }
    return {
      value: tf.tensor1d(out),
      gradFunc: (dy: tf.Tensor) => {
        const g = dy.dataSync() as Float32Array;
        const dx = new Float32Array(ua * d);
        const dyb = new Float32Array(ub * d);
        for (let p = 0; p < n; p++) {
          const gp = g[p]!;
          if (gp === 0) continue;
          const s = ai[p]! * d;
          const t = bi[p]! * d;
          for (let k = 0; k < d; k++) {
            dx[s + k]! += gp * yb[t + k]!;
            dyb[t + k]! += gp * xa[s + k]!;
          }
        }
        return [tf.tensor2d(dx, [ua, d]), tf.tensor2d(dyb, [ub, d])];
      },
    };
  }) as unknown as CustomFn);
  return op(a, b) as tf.Tensor1D;
}
