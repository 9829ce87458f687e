export {
  PyDict,
  PyException,
  PySet,
  PyTuple,
  isPyBool,
  isPyDict,
  isPyFloat,
  isPyInt,
  isPyList,
  isPyNumber,
  isPySet,
  isPyStr,
  isPyTuple,
  pyHashKey,
  pyTypeName,
} from "./value.ts";
export type { PyObject, PyValue } from "./value.ts";
export { pyFloatRepr, pyFormatFixed, pyJsonDumps, pyRepr, pyRound, pyStr } from "./format.ts";
