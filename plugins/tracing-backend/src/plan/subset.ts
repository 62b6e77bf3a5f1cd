/**
 * The paths of the fields of `desired` that `live` does not hold with the
 * same value. Fields the API server adds (defaults, status, metadata) are
 * ignored, so an object with no differing path needs no apply; arrays must
 * match element by element.
 */
export function differingPaths(
  live: unknown,
  desired: unknown,
  path = '',
): string[] {
  if (Array.isArray(desired)) {
    if (!Array.isArray(live) || live.length !== desired.length) return [path];
    return desired.flatMap((item, i) =>
      differingPaths(live[i], item, `${path}[${i}]`),
    );
  }
  if (desired !== null && typeof desired === 'object') {
    if (live === null || typeof live !== 'object' || Array.isArray(live))
      return [path];
    return Object.entries(desired).flatMap(([key, value]) =>
      differingPaths(
        (live as Record<string, unknown>)[key],
        value,
        `${path}.${key}`,
      ),
    );
  }
  return live === desired ? [] : [path];
}

/** Whether `live` already holds every field of `desired` with the same value. */
export function containsSubset(live: unknown, desired: unknown): boolean {
  return differingPaths(live, desired).length === 0;
}

/** `source` cut down to the fields `shape` has (for diffs against live). */
export function projectOnto(source: unknown, shape: unknown): unknown {
  if (Array.isArray(shape)) {
    return Array.isArray(source)
      ? source.map((item, i) =>
          projectOnto(item, shape[Math.min(i, shape.length - 1)]),
        )
      : source;
  }
  if (shape !== null && typeof shape === 'object') {
    if (source === null || typeof source !== 'object' || Array.isArray(source))
      return source;
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(shape)) {
      const value = (source as Record<string, unknown>)[key];
      if (value !== undefined)
        out[key] = projectOnto(value, (shape as Record<string, unknown>)[key]);
    }
    return out;
  }
  return source;
}
