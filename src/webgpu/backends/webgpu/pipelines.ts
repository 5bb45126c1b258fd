// Compiles each WGSL kernel once per specialisation and caches the compute pipeline by its key.

/** A WGSL compute shader: `key` names the kernel and its specialisation; `source` builds the code on first use. */
export interface Kernel {
  key: string;
  source(): string;
}

export class PipelineCache {
  private readonly pipelines = new Map<string, GPUComputePipeline>();

  constructor(private readonly device: GPUDevice) {}

  get(kernel: Kernel): GPUComputePipeline {
    const cached = this.pipelines.get(kernel.key);
    if (cached) return cached;
    const module = this.device.createShaderModule({ code: kernel.source(), label: kernel.key });
    const pipeline = this.device.createComputePipeline({
      label: kernel.key,
      layout: 'auto',
      compute: { module, entryPoint: 'main' },
    });
    this.pipelines.set(kernel.key, pipeline);
    return pipeline;
  }

  get size(): number {
    return this.pipelines.size;
  }
}
