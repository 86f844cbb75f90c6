// The seams where a wrapper may look at or change one step's inputs: the host batch, the online teacher's outputs and
// the frozen features. Production installs none; the fault wrapper (faults.ts) is the one that does, in tests and ?e2e.
import type * as tf from '@tensorflow/tfjs-core';
import type { TrainConfig } from '../../core/config/config';
import type { LlavaOutput } from '../llava';
import type { HostBatch } from './data';

/** Called by Trainer.step at fixed points; each hook is optional and returns what the step goes on with. */
export interface StepInterceptor {
  /** The host batch of the step about to run, before anything reads it (its typed arrays may be edited). */
  hostBatch?(h: HostBatch, onPolicy: boolean, cfg: TrainConfig): void;
  /** The online teacher's outputs on the batch (inside the step's tidy). */
  teacher?(out: LlavaOutput): LlavaOutput;
  /** The batch's frozen features, gathered from the cache (inside the step's tidy). */
  features?(f: tf.Tensor3D): tf.Tensor3D;
  /** The step was dispatched (its values are not read yet). */
  afterStep?(): void;
}
