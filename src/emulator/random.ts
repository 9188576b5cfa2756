// Seeded randomness: every random choice the emulator makes (fault probability, jitter, corrupt
// offsets, ids) comes from a generator derived from the one seed, so a run replays exactly.

import { createRandom, type Random } from '../core/random.js';

export { createRandom, type Random };

/** A seed for an independent stream, mixed from the run's seed and a few integers (murmur3 finalizer). */
export function deriveSeed(seed: number, ...parts: number[]): number {
  let h = (seed ^ 0x9e3779b9) >>> 0;
  for (const part of parts) {
    h = Math.imul(h ^ (part >>> 0), 0x85ebca6b) >>> 0;
    h ^= h >>> 13;
    h = Math.imul(h, 0xc2b2ae35) >>> 0;
    h ^= h >>> 16;
  }
  return h >>> 0;
}

/** An integer in [0, max). */
export function randomInt(random: Random, max: number): number {
  return Math.floor(random() * max);
}

/** A version 4 UUID drawn from `random` (lowercase, as the services write them). */
export function randomUuid(random: Random): string {
  const hex: string[] = [];
  for (let i = 0; i < 16; i++) {
    let byte = randomInt(random, 256);
    if (i === 6) byte = (byte & 0x0f) | 0x40;
    if (i === 8) byte = (byte & 0x3f) | 0x80;
    hex.push(byte.toString(16).padStart(2, '0'));
  }
  const h = hex.join('');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

/** A seed from user input: a safe integer is taken as is (mod 2^32), anything else is refused. */
export function isSeed(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value);
}
