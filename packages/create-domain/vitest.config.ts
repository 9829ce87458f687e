import { envtuneProject } from "../../vitest.shared.ts";

export default envtuneProject("@envtune/create-domain", { testTimeout: 120_000 });
