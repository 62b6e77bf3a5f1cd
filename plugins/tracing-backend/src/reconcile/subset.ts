/**
 * Whether `live` already holds every field of `desired` with the same value.
 * Fields the API server adds (defaults, status, metadata) are ignored, so an
 * object that matches needs no apply; arrays must match element by element.
 */
export function containsSubset(live: unknown, desired: unknown): boolean {
  if (Array.isArray(desired)) {
    return (
      Array.isArray(live) &&
      live.length === desired.length &&
      desired.every((item, i) => containsSubset(live[i], item))
    );
  }
  if (desired !== null && typeof desired === 'object') {
    if (live === null || typeof live !== 'object' || Array.isArray(live))
      return false;
    return Object.entries(desired).every(([key, value]) =>
      containsSubset((live as Record<string, unknown>)[key], value),
    );
  }
  return live === desired;
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
