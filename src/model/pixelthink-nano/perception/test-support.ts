// Tiny detector configurations shared by the perception tests (gradient checks and short training runs).
import type { PerceptionConfig } from './config';

/** 8 px input, 4×4 grid, 2×2 context: small enough for finite differences over every weight. */
export const GRADCHECK_CONFIG: PerceptionConfig = {
  inputSize: 8,
  stemChannels: [2],
  gridLayers: 1,
  gridChannels: 2,
  contextLayers: 1,
  contextChannels: 2,
  headChannels: 3,
};

/** 32 px input, 8×8 grid: trains a few steps in seconds. */
export const TRAINING_TEST_CONFIG: PerceptionConfig = {
  inputSize: 32,
  stemChannels: [4, 8],
  gridLayers: 1,
  gridChannels: 8,
  contextLayers: 1,
  contextChannels: 8,
  headChannels: 8,
};
