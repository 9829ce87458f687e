import { envtuneProject } from "../../vitest.shared.ts";

export default envtuneProject("@envtune/experiment");
