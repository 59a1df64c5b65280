/** Row-major embeddings: `rows × dimensions` floats, the shape every trainer here works on. */
export interface EmbeddingMatrix {
  readonly rows: number;
  readonly dimensions: number;
  readonly values: Float32Array;
}

/** Packs vectors into one matrix, L2-normalising each so cosine similarity is a dot product. */
export function toEmbeddingMatrix(vectors: readonly (readonly number[] | Float32Array)[], dimensions: number): EmbeddingMatrix {
  const values = new Float32Array(vectors.length * dimensions);
  vectors.forEach((vector, row) => {
    let norm = 0;
    for (let column = 0; column < dimensions; column += 1) norm += (vector[column] ?? 0) ** 2;
    const scale = norm > 0 ? 1 / Math.sqrt(norm) : 0;
    for (let column = 0; column < dimensions; column += 1) values[row * dimensions + column] = (vector[column] ?? 0) * scale;
  });
  return { rows: vectors.length, dimensions, values };
}

/** The rows at `indices`, copied into a new matrix. */
export function selectRows(matrix: EmbeddingMatrix, indices: ArrayLike<number>): EmbeddingMatrix {
  const { dimensions } = matrix;
  const values = new Float32Array(indices.length * dimensions);
  for (let row = 0; row < indices.length; row += 1) {
    const from = indices[row]! * dimensions;
    values.set(matrix.values.subarray(from, from + dimensions), row * dimensions);
  }
  return { rows: indices.length, dimensions, values };
}

/** L2-normalises one vector (a copy). */
export function normalised(vector: readonly number[] | Float32Array): Float32Array {
  const copy = Float32Array.from(vector);
  let norm = 0;
  for (const value of copy) norm += value * value;
  const scale = norm > 0 ? 1 / Math.sqrt(norm) : 0;
  for (let index = 0; index < copy.length; index += 1) copy[index]! *= scale;
  return copy;
}
