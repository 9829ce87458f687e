import { beforeAll, describe, expect, it } from "vitest";
import { selectBackend, tf } from "./backend.ts";
import { embedBags, gatherRows, pairDots } from "./jsops.ts";

beforeAll(async () => {
  await selectBackend({});
});

function close(a: tf.Tensor, b: tf.Tensor, tol = 1e-5): void {
  expect(a.shape).toEqual(b.shape);
  const x = a.dataSync();
  const y = b.dataSync();
  for (let i = 0; i < x.length; i++) expect(Math.abs(x[i]! - y[i]!)).toBeLessThan(tol);
}

/** Dense one-hot selection matrix, the slow reference for the sparse ops. */
function selector(idx: number[], n: number, weights?: number[]): tf.Tensor2D {
  const m = new Float32Array(idx.length * n);
  idx.forEach((j, r) => (m[r * n + j] = weights?.[r] ?? 1));
  return tf.tensor2d(m, [idx.length, n]);
}

describe("JS sparse ops (forward and gradient against dense tfjs references)", () => {
  // Created in the tests, after beforeAll picked the backend.
  let table: tf.Tensor2D;
  beforeAll(() => {
    table = tf.tensor2d([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12], [4, 3]);
  });

  it("gatherRows", () => {
    const idx = [2, 0, 2, 3];
    close(gatherRows(table, Int32Array.from(idx)), tf.matMul(selector(idx, 4), table));
    const up = tf.tensor2d([1, -1, 2, 0.5, 0, 1, 3, 3, 3, -2, 1, 0], [4, 3]);
    const g = tf.grad((t: tf.Tensor) => tf.sum(tf.mul(gatherRows(t as tf.Tensor2D, Int32Array.from(idx)), up)))(table);
    const ref = tf.grad((t: tf.Tensor) => tf.sum(tf.mul(tf.matMul(selector(idx, 4), t as tf.Tensor2D), up)))(table);
    close(g, ref);
  });

  it("embedBags: weighted bags, empty bags give zeros, duplicates accumulate", () => {
    const csr = {
      ids: Int32Array.from([0, 1, 3, 3]),
      weights: Float32Array.from([0.5, 0.5, 1, 1]),
      offsets: Int32Array.from([0, 2, 2, 4]),
    };
    const dense = tf.tensor2d([0.5, 0.5, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2], [3, 4]);
    close(embedBags(table, csr), tf.matMul(dense, table));
    const up = tf.tensor2d([1, 2, 3, 4, 5, 6, -1, 0, 1], [3, 3]);
    const g = tf.grad((t: tf.Tensor) => tf.sum(tf.mul(embedBags(t as tf.Tensor2D, csr), up)))(table);
    const ref = tf.grad((t: tf.Tensor) => tf.sum(tf.mul(tf.matMul(dense, t as tf.Tensor2D), up)))(table);
    close(g, ref);
  });

  it("pairDots: dot products of row pairs and both gradients", () => {
    const a = tf.tensor2d([1, 0, 2, -1, 3, 1], [2, 3]);
    const ai = [0, 1, 1, 0];
    const bi = [3, 0, 2, 3];
    const ref = (x: tf.Tensor2D, y: tf.Tensor2D) => tf.sum(tf.mul(tf.matMul(selector(ai, 2), x), tf.matMul(selector(bi, 4), y)), 1);
    close(pairDots(a, table, Int32Array.from(ai), Int32Array.from(bi)), ref(a, table));
    const w = tf.tensor1d([1, -2, 0.5, 3]);
    const [ga, gb] = tf.grads((x: tf.Tensor, y: tf.Tensor) =>
      tf.sum(tf.mul(pairDots(x as tf.Tensor2D, y as tf.Tensor2D, Int32Array.from(ai), Int32Array.from(bi)), w)),
    )([a, table]);
    const [ra, rb] = tf.grads((x: tf.Tensor, y: tf.Tensor) => tf.sum(tf.mul(ref(x as tf.Tensor2D, y as tf.Tensor2D), w)))([a, table]);
    close(ga!, ra!);
    close(gb!, rb!);
  });
});

describe("fast gradients installed for wasm/cpu", () => {
  it("BatchMatMul gradients equal the textbook formulas for every transpose combination", () => {
    const a = tf.tensor2d([1, 2, 3, 4, 5, 6], [2, 3]);
    const b = tf.tensor2d([1, -1, 0, 2, 3, 1], [3, 2]);
    const dy = tf.tensor2d([1, 2, -1, 0.5], [2, 2]);
    const [ga, gb] = tf.grads((x: tf.Tensor, y: tf.Tensor) => tf.sum(tf.mul(tf.matMul(x as tf.Tensor2D, y as tf.Tensor2D), dy)))([a, b]);
    close(ga!, tf.matMul(dy, tf.transpose(b)));
    close(gb!, tf.matMul(tf.transpose(a), dy));
    const at = tf.transpose(a);
    const bt = tf.transpose(b);
    const [gat, gbt] = tf.grads((x: tf.Tensor, y: tf.Tensor) =>
      tf.sum(tf.mul(tf.matMul(x as tf.Tensor2D, y as tf.Tensor2D, true, true), dy)),
    )([at, bt]);
    close(gat!, tf.transpose(tf.matMul(dy, tf.transpose(b))));
    close(gbt!, tf.transpose(tf.matMul(tf.transpose(a), dy)));
  });

  it("GatherV2 has a gradient on wasm (scatter-add of duplicates)", () => {
    const t = tf.tensor2d([1, 2, 3, 4], [2, 2]);
    const g = tf.grad((x: tf.Tensor) => tf.sum(tf.gather(x, tf.tensor1d([1, 1, 0], "int32"))))(t);
    expect(Array.from(g.dataSync())).toEqual([1, 1, 2, 2]);
  });
});
