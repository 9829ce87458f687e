/**
 * The BFCL world of the trainer's tests: the dataset from the shared reference folder
 * ($ENVTUNE_SHARED_DIR, else ../shared beside the checkout) and the eight BFCL domain packs.
 */
import { fileURLToPath } from "node:url";
import { BFCL_DOMAIN_PACKAGES, loadDomainPacks, type DomainPack } from "@envtune/core";
import { loadBfclDataset } from "@envtune/bfcl-data";
import type { EpisodeWorld } from "../rollout.ts";

const shared = process.env.ENVTUNE_SHARED_DIR ?? fileURLToPath(new URL("../../../../../shared", import.meta.url));
export const ds = loadBfclDataset(`${shared}/bfcl/data`);

export async function bfclPacks(): Promise<Map<string, DomainPack>> {
  return (await loadDomainPacks(Object.values(BFCL_DOMAIN_PACKAGES))).packs;
}

export function bfclWorld(packs: ReadonlyMap<string, DomainPack>): EpisodeWorld {
  return { packs, constants: ds.longContext, funcDocs: ds.funcDocs };
}
