/**
 * TensorFlow.js backend selection. Order: the native `tensorflow` backend from the optional
 * `@tensorflow/tfjs-node-gpu` (only when it loads), then `wasm`, then pure-JS `cpu`. `TF_BACKEND`
 * (or an explicit `backend` option, e.g. from `--backend`) forces one and fails loudly when it
 * cannot load, so a run never silently trains on a slower backend than the one asked for.
 */
import * as tf from "@tensorflow/tfjs";
import { EnvtuneError } from "@envtune/core";
import { installFastGradients } from "./fastgrad.ts";

export const BACKENDS = ["tensorflow", "wasm", "cpu"] as const;
export type BackendName = (typeof BACKENDS)[number];

export interface BackendInfo {
  name: BackendName;
  /** Why this backend was chosen (and why faster ones were not). */
  reason: string;
  /** Whether the faster matmul/gather gradients were installed (wasm, cpu). */
  fastGradients: boolean;
}

export interface SelectBackendOptions {
  /** Forces a backend; `auto` (default) tries tensorflow → wasm → cpu. Overrides `TF_BACKEND`. */
  backend?: BackendName | "auto";
  /** Environment to read `TF_BACKEND` from (default `process.env`). */
  env?: Readonly<Record<string, string | undefined>>;
  log?: (line: string) => void;
}

// A variable specifier keeps the compiler and bundlers from requiring the optional package.
const NODE_GPU_PACKAGE: string = "@tensorflow/tfjs-node-gpu";

let current: BackendInfo | undefined;
let pending: Promise<BackendInfo> | undefined;

function backendError(name: string, why: string): EnvtuneError {
  return new EnvtuneError(
    "BACKEND_UNAVAILABLE",
    "policy-tfjs",
    `The TensorFlow.js backend \`${name}\` was requested but could not be loaded (${why}).`,
    name === "tensorflow"
      ? "Install @tensorflow/tfjs-node-gpu 4.22.0 with its native library (needs network access to storage.googleapis.com at install time), or use --backend wasm."
      : "Use --backend auto (or unset TF_BACKEND) to fall back automatically.",
  );
}

async function tryTensorflow(): Promise<string | undefined> {
  try {
    await import(NODE_GPU_PACKAGE);
  } catch (e) {
    return (e as Error).message.split("\n")[0] ?? "import failed";
  }
  try {
    if (!(await tf.setBackend("tensorflow"))) return "tfjs-node-gpu loaded but did not register the `tensorflow` backend";
    await tf.ready();
    return undefined;
  } catch (e) {
    return (e as Error).message.split("\n")[0] ?? "initialisation failed";
  }
}

async function tryWasm(): Promise<string | undefined> {
  try {
    await import("@tensorflow/tfjs-backend-wasm");
    if (!(await tf.setBackend("wasm"))) return "setBackend('wasm') returned false";
    await tf.ready();
    return undefined;
  } catch (e) {
    return (e as Error).message.split("\n")[0] ?? "initialisation failed";
  }
}

async function tryCpu(): Promise<string | undefined> {
  try {
    if (!(await tf.setBackend("cpu"))) return "setBackend('cpu') returned false";
    await tf.ready();
    return undefined;
  } catch (e) {
    return (e as Error).message;
  }
}

const LOADERS: Record<BackendName, () => Promise<string | undefined>> = { tensorflow: tryTensorflow, wasm: tryWasm, cpu: tryCpu };

function parseBackend(v: string, where: string): BackendName | "auto" {
  const s = v.trim().toLowerCase();
  if (s === "auto" || s === "") return "auto";
  if ((BACKENDS as readonly string[]).includes(s)) return s as BackendName;
  throw new EnvtuneError(
    "BAD_BACKEND",
    "policy-tfjs",
    `${where} is \`${v}\`, not a TensorFlow.js backend.`,
    `Use one of: auto, ${BACKENDS.join(", ")}.`,
  );
}

/**
 * Selects and initialises the backend once per process (later calls return the first choice; a
 * later call that forces a different backend is an error, since tensors cannot move between them).
 */
export async function selectBackend(opts: SelectBackendOptions = {}): Promise<BackendInfo> {
  const env = opts.env ?? process.env;
  const forced =
    opts.backend !== undefined && opts.backend !== "auto"
      ? opts.backend
      : env.TF_BACKEND
        ? parseBackend(env.TF_BACKEND, "TF_BACKEND")
        : "auto";
  if (current) {
    if (forced !== "auto" && forced !== current.name) {
      throw new EnvtuneError(
        "BACKEND_ALREADY_SET",
        "policy-tfjs",
        `The backend is already \`${current.name}\`; \`${forced}\` cannot be selected in the same process.`,
        "Choose the backend before creating any model.",
      );
    }
    return current;
  }
  pending ??= (async () => {
    tf.enableProdMode();
    let info: BackendInfo;
    if (forced !== "auto") {
      const why = await LOADERS[forced]();
      if (why !== undefined) throw backendError(forced, why);
      info = {
        name: forced,
        reason: `forced by ${opts.backend && opts.backend !== "auto" ? "option" : "TF_BACKEND"}`,
        fastGradients: false,
      };
    } else {
      const skipped: string[] = [];
      let chosen: BackendName | undefined;
      for (const name of BACKENDS) {
        const why = await LOADERS[name]();
        if (why === undefined) {
          chosen = name;
          break;
        }
        skipped.push(`${name}: ${why}`);
      }
      if (!chosen) throw backendError("any", skipped.join("; "));
      info = { name: chosen, reason: skipped.length ? `auto (skipped ${skipped.join("; ")})` : "auto", fastGradients: false };
    }
    // The replacement gradients are global registrations; the native backend has its own fast kernels.
    if (info.name !== "tensorflow") {
      installFastGradients();
      info.fastGradients = true;
    }
    opts.log?.(`[envtune] tfjs backend: ${info.name} (${info.reason})${info.fastGradients ? ", fast gradients installed" : ""}`);
    current = info;
    return info;
  })();
  try {
    return await pending;
  } catch (e) {
    pending = undefined;
    throw e;
  }
}

/** The backend chosen so far, if any. */
export function currentBackend(): BackendInfo | undefined {
  return current;
}

export { tf };
