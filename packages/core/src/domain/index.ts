/**
 * The domain-pack contract: `defineDomain`, typed tools (`defineTool`, `toolSchemas`), pack
 * loading and discovery, and BFCL function docs → JSON Schema.
 */
export { defineDomain, isDomainPack, validateDomainDefinition } from "./define.ts";
export { argumentFits, defineTool, toolSchema, toolSchemas } from "./tool.ts";
export type { ArgsOf, PyTypeOf, Rejecter, TypedParam, TypedToolSpec } from "./tool.ts";
export { BFCL_DOMAIN_PACKAGES, loadDomainPacks, requirePacks } from "./load.ts";
export type { LoadedPacks } from "./load.ts";
export { discoverDomainPackages, domainSpecifiers, isDomainPackage, resolveDomainPacks } from "./discover.ts";
export type { InstalledDomainPackage, ResolvedDomainPacks } from "./discover.ts";
export { bfclDocToToolSchema, bfclParamToJsonSchema } from "./schema.ts";
export type { BfclFuncDoc } from "./schema.ts";
export type * from "./types.ts";
