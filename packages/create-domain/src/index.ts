/**
 * @envtune/create-domain — scaffolds a new envtune domain pack. Run it as
 * `npm create @envtune/domain <name>`, `npx @envtune/create-domain <name>` or `envtune new-domain <name>`.
 */
export { ScaffoldError, VERSION_RANGES, defaultClassName, findMonorepo, runCreateDomain, scaffoldDomain } from "./scaffold.ts";
export type { ScaffoldOptions, ScaffoldResult } from "./scaffold.ts";
export type { TemplateContext, VersionRanges } from "./templates.ts";
