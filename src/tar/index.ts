// gzip-compressed ustar archives: the strict, bounded reader (OPA bundles, evidence packets) and the deterministic
// writer (evidence packets), in one module so that what is written is what is read.
export { readTarGz, UstarError, writeTarGz } from './ustar.ts';
export type { TarEntry, UstarLimits } from './ustar.ts';
