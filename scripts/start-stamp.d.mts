/** Types of start-stamp.mjs, for the tests that import it. */
export interface StampState {
  /** Digest of the install's inputs (lockfile, manifests, pnpm settings, Node). */
  install: string;
  /** Digest of the build's inputs (every source under apps/ and packages/, and the install's). */
  build: string;
  installFresh: boolean;
  buildFresh: boolean;
}
export const installOutputs: readonly string[];
export const buildOutputs: readonly string[];
export function stampState(root: string, node?: string): StampState;
export function recordStamp(root: string, state: StampState, step: 'install' | 'build'): void;
