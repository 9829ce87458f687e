export { PyRandom } from "./py-random.ts";
