/**
 * Deterministic embedding vectors: the same input always gives the same unit-length vector, different inputs give
 * (pseudo-)independent ones. Seeded from SHA-256 of the input, expanded with xorshift128.
 */
import { createHash } from 'node:crypto';

/** A unit-length float32 vector of `dimensions` values derived from `input`. */
export function embeddingVector(input: string, dimensions: number): Float32Array {
  const digest = createHash('sha256').update(input).digest();
  let a = digest.readUInt32LE(0) | 1;
  let b = digest.readUInt32LE(4);
  let c = digest.readUInt32LE(8);
  let d = digest.readUInt32LE(12);
  const vector = new Float32Array(dimensions);
  let norm = 0;
  for (let i = 0; i < dimensions; i++) {
    const t = a ^ (a << 11);
    a = b;
    b = c;
    c = d;
    d = (d ^ (d >>> 19) ^ (t ^ (t >>> 8))) >>> 0;
    const value = d / 0x8000_0000 - 1;
    vector[i] = value;
    norm += value * value;
  }
  const scale = norm > 0 ? 1 / Math.sqrt(norm) : 0;
  for (let i = 0; i < dimensions; i++) vector[i] = (vector[i] ?? 0) * scale;
  return vector;
}

/** Base64 of the vector as little-endian float32, which is what OpenAI sends for `encoding_format: "base64"`. */
export function vectorToBase64(vector: Float32Array): string {
  const buffer = Buffer.alloc(vector.length * 4);
  for (let i = 0; i < vector.length; i++) buffer.writeFloatLE(vector[i] ?? 0, i * 4);
  return buffer.toString('base64');
}

/** The vector as plain numbers for JSON. */
export function vectorToArray(vector: Float32Array): number[] {
  return Array.from(vector);
}
