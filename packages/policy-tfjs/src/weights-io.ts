/**
 * Weights on disk without tfjs-node: a `tf.io.IOHandler` that writes and reads the standard
 * `model.json` + `weights.bin` layout (the same as tfjs-node's `file://` handler), plus helpers for
 * raw variable maps (the policy is a set of named variables, not a LayersModel).
 */
import { mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import * as tf from "@tensorflow/tfjs";
import { EnvtuneError } from "@envtune/core";
import { writeFileAtomic } from "./atomic-write.ts";

export { writeFileAtomic };

export const MODEL_JSON = "model.json";
export const WEIGHTS_BIN = "weights.bin";

function toBytes(data: tf.io.WeightData): Uint8Array {
  const joined = Array.isArray(data) ? tf.io.CompositeArrayBuffer.join(data) : data;
  return new Uint8Array(joined);
}

/** A `tf.io.IOHandler` for a directory holding `model.json` and `weights.bin`. */
export function fileSystemIO(dir: string): tf.io.IOHandler {
  return {
    async save(artifacts: tf.io.ModelArtifacts): Promise<tf.io.SaveResult> {
      mkdirSync(dir, { recursive: true });
      const weights = artifacts.weightData === undefined ? new Uint8Array(0) : toBytes(artifacts.weightData);
      // Weights first: a crash between the two renames leaves the old model.json pointing at a
      // weights.bin of the same layout only if the specs did not change; the trainer's
      // checkpoints are written to a fresh directory and renamed as a whole for that reason.
      writeFileAtomic(join(dir, WEIGHTS_BIN), weights);
      const modelJSON: tf.io.ModelJSON = {
        modelTopology: artifacts.modelTopology as tf.io.ModelJSON["modelTopology"],
        weightsManifest: [{ paths: [`./${WEIGHTS_BIN}`], weights: artifacts.weightSpecs ?? [] }],
        format: artifacts.format ?? "envtune-policy",
        generatedBy: artifacts.generatedBy ?? `TensorFlow.js tfjs-core v${tf.version_core}`,
        convertedBy: artifacts.convertedBy ?? null,
        ...(artifacts.trainingConfig ? { trainingConfig: artifacts.trainingConfig } : {}),
        ...(artifacts.userDefinedMetadata ? { userDefinedMetadata: artifacts.userDefinedMetadata } : {}),
      };
      writeFileAtomic(join(dir, MODEL_JSON), JSON.stringify(modelJSON));
      return {
        modelArtifactsInfo: {
          dateSaved: new Date(),
          modelTopologyType: "JSON",
          modelTopologyBytes: JSON.stringify(artifacts.modelTopology ?? null).length,
          weightSpecsBytes: JSON.stringify(artifacts.weightSpecs ?? []).length,
          weightDataBytes: weights.byteLength,
        },
      };
    },
    async load(): Promise<tf.io.ModelArtifacts> {
      let modelJSON: tf.io.ModelJSON;
      try {
        modelJSON = JSON.parse(readFileSync(join(dir, MODEL_JSON), "utf8")) as tf.io.ModelJSON;
      } catch (e) {
        throw new EnvtuneError(
          "WEIGHTS_NOT_FOUND",
          "policy-tfjs",
          `Cannot read ${join(dir, MODEL_JSON)} (${(e as Error).message}).`,
          "Pass a directory written by the trainer (model.json + weights.bin).",
        );
      }
      return tf.io.getModelArtifactsForJSON(modelJSON, async (manifest) => {
        const specs: tf.io.WeightsManifestEntry[] = [];
        const buffers: ArrayBuffer[] = [];
        for (const group of manifest) {
          specs.push(...group.weights);
          for (const p of group.paths) {
            const b = readFileSync(join(dir, p));
            buffers.push(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer);
          }
        }
        return [specs, tf.io.CompositeArrayBuffer.join(buffers)];
      });
    },
  };
}

export interface SavedTensors {
  tensors: Map<string, tf.Tensor>;
  /** `modelTopology` as written (the policy's architecture description). */
  topology: unknown;
  /** `userDefinedMetadata` as written. */
  metadata: Record<string, unknown>;
}

/** Saves named tensors (e.g. a policy's variables) as `model.json` + `weights.bin` in `dir`. */
export async function saveNamedTensors(
  dir: string,
  tensors: ReadonlyMap<string, tf.Tensor>,
  topology: unknown,
  metadata: Record<string, unknown> = {},
): Promise<void> {
  const named: tf.NamedTensorMap = Object.fromEntries(tensors);
  const { data, specs } = await tf.io.encodeWeights(named);
  await fileSystemIO(dir).save!({
    modelTopology: topology as tf.io.ModelArtifacts["modelTopology"],
    weightSpecs: specs,
    weightData: data,
    format: "envtune-policy",
    generatedBy: `envtune policy-tfjs (tfjs ${tf.version_core})`,
    convertedBy: null,
    userDefinedMetadata: metadata as Record<string, object>,
  });
}

/** Loads what {@link saveNamedTensors} wrote. The caller owns (and must dispose) the tensors. */
export async function loadNamedTensors(dir: string): Promise<SavedTensors> {
  const art = await fileSystemIO(dir).load!();
  const map = art.weightData && art.weightSpecs ? tf.io.decodeWeights(art.weightData, art.weightSpecs) : {};
  return {
    tensors: new Map(Object.entries(map)),
    topology: art.modelTopology ?? null,
    metadata: (art.userDefinedMetadata ?? {}) as Record<string, unknown>,
  };
}
