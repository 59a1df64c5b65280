/**
 * 32-bit FNV-1a, the hash behind feature hashing. Chosen over a cryptographic hash because routing
 * needs thousands of hashes per prompt in well under a millisecond, and collisions only add noise.
 */
export const FNV_OFFSET = 0x811c9dc5;
const FNV_PRIME = 0x01000193;

/** Folds one UTF-16 code unit into a running FNV-1a hash. */
export function fnvStep(hash: number, code: number): number {
  return Math.imul(hash ^ code, FNV_PRIME) >>> 0;
}

/** FNV-1a of a whole string, optionally continuing from `seed`. */
export function hashString(text: string, seed: number = FNV_OFFSET): number {
  let hash = seed;
  for (let index = 0; index < text.length; index += 1) hash = fnvStep(hash, text.charCodeAt(index));
  return hash;
}

/**
 * Combines two hashes into one (used for word bigrams), so a bigram is hashed from its parts
 * without building the joined string.
 */
export function combineHashes(left: number, right: number): number {
  let hash = Math.imul(left ^ 0x9e3779b9, 0x85ebca6b) >>> 0;
  hash = Math.imul(hash ^ (right + 0x7f4a7c15), 0xc2b2ae35) >>> 0;
  return (hash ^ (hash >>> 16)) >>> 0;
}
