/** Per-text work memoized across decisions (the G rollouts of a task see the same texts); bounded. */
export function memo<T>(cache: Map<string, T>, key: string, make: () => T, max = 5000): T {
  if (cache.has(key)) return cache.get(key)!;
  const v = make();
  if (cache.size > max) cache.clear();
  cache.set(key, v);
  return v;
}
