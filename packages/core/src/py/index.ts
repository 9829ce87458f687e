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
export {
  isPyObject,
  pyFloatRepr,
  pyFormatFixed,
  pyIntRepr,
  pyJsonDumps,
  pyJsonString,
  pyRepr,
  pyRound,
  pyStr,
  pyStrRepr,
} from "./format.ts";
export { parsePyJson, parsePyJsonLines } from "./json.ts";
export { PY_ELLIPSIS, decodeEncoded, encodeValue, isRawEncoded } from "./encode.ts";
export type { DecodeHooks } from "./encode.ts";
export { pyCompare, pyContains, pyEquals, pyLt, pyMax, pyMin, pyNumCompare, pyRichCompare, pySorted } from "./equality.ts";
export type { PyOrderOp, PySortOptions } from "./equality.ts";
export { pyDeepCopy } from "./copy.ts";
export { freezePyValue, isFrozenPyValue, markImmutableObject, pyListConcat } from "./frozen.ts";
export type { DeepCopyablePyObject } from "./copy.ts";
export {
  isPySpace,
  pyAttributeError,
  pyCapitalize,
  pyCodePointCompare,
  pyFloatFromStr,
  pyFloorDiv,
  pyFloorMod,
  pyIntFromFloat,
  pyIntFromStr,
  pyLen,
  pyLower,
  pyLstrip,
  pyNumStr,
  pyRsplit,
  pyRstrip,
  pySplit,
  pySplitlines,
  pyStrip,
  pySwapcase,
  pyTitle,
  pyTrueDiv,
  pyTypeErrorBinOp,
  pyUpper,
  requireStr,
  toFloat,
} from "./str.ts";
export type { PyBinOp } from "./str.ts";
export { pyTruthy } from "./truthy.ts";
export { pyGetItemStr, pyIter, pyIterate, pyLength, pyPlusOne, pySetItemStr } from "./ops.ts";
