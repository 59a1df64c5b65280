/**
 * A small seeded PRNG (mulberry32): training shuffles and initialisation draw from it, so the same
 * rows and seed always give the same classifier, byte for byte.
 */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/** Fisher–Yates shuffle of `0..count-1` with a seeded generator. */
export function shuffledIndices(count: number, random: () => number): Uint32Array {
  const indices = new Uint32Array(count);
  for (let index = 0; index < count; index += 1) indices[index] = index;
  for (let index = count - 1; index > 0; index -= 1) {
    const other = Math.floor(random() * (index + 1));
    const held = indices[index]!;
    indices[index] = indices[other]!;
    indices[other] = held;
  }
  return indices;
}
