// The WebGPU backend's Storage: a pooled GPUBuffer plus the dtype and element count the engine sees.
import type { DType, Storage } from '../../backend';

export class GpuStorage implements Storage {
  freed = false;

  constructor(
    readonly dtype: DType,
    readonly size: number,
    readonly buffer: GPUBuffer,
    /** The backend that made it, so storages from another WebGPU backend are rejected, not misread. */
    readonly owner: object,
  ) {}

  get bytes(): number {
    return this.size * 4;
  }
}
