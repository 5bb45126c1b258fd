// Records kernels and copies into one command encoder and submits them in batches (on read or when the batch grows).
import type { Grid } from './grid';
import { PARAM_WORDS } from './params';

const SLOT_BYTES = PARAM_WORDS * 4;
/** Dispatches per batch: bounds the parameter arena and keeps the GPU fed during long passes. */
const SLOTS = 256;

export class Recorder {
  private encoder: GPUCommandEncoder | null = null;
  private pass: GPUComputePassEncoder | null = null;
  private readonly arena: GPUBuffer;
  private readonly arenaHost = new Uint32Array(SLOTS * PARAM_WORDS);
  private slots = 0;
  private commands = 0;
  submits = 0;

  constructor(
    private readonly device: GPUDevice,
    /** Runs after each submit (the buffer pool's epoch advances there). */
    private readonly onSubmit: () => void,
  ) {
    this.arena = device.createBuffer({
      label: 'kernel parameters',
      size: SLOTS * SLOT_BYTES,
      usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST,
    });
  }

  /** Reserves this dispatch's uniform slot; the whole arena is written once, just before the submit. */
  paramSlot(words: Uint32Array): GPUBufferBinding {
    if (this.slots === SLOTS) this.flush();
    const offset = this.slots * SLOT_BYTES;
    this.arenaHost.set(words, this.slots * PARAM_WORDS);
    this.slots++;
    return { buffer: this.arena, offset, size: SLOT_BYTES };
  }

  dispatch(pipeline: GPUComputePipeline, bindGroup: GPUBindGroup, grid: Grid): void {
    const pass = this.computePass();
    pass.setPipeline(pipeline);
    pass.setBindGroup(0, bindGroup);
    pass.dispatchWorkgroups(grid[0], grid[1], grid[2]);
    this.commands++;
  }

  copy(source: GPUBuffer, target: GPUBuffer, bytes: number): void {
    this.endPass().copyBufferToBuffer(source, 0, target, 0, bytes);
    this.commands++;
  }

  clear(buffer: GPUBuffer, bytes: number): void {
    this.endPass().clearBuffer(buffer, 0, bytes);
    this.commands++;
  }

  /** True when the caller should flush soon (keeps command buffers and pending memory bounded). */
  get full(): boolean {
    return this.commands >= 4 * SLOTS;
  }

  flush(): void {
    if (!this.encoder) return;
    this.pass?.end();
    this.pass = null;
    if (this.slots > 0)
      this.device.queue.writeBuffer(this.arena, 0, this.arenaHost, 0, this.slots * PARAM_WORDS);
    this.device.queue.submit([this.encoder.finish()]);
    this.encoder = null;
    this.slots = 0;
    this.commands = 0;
    this.submits++;
    this.onSubmit();
  }

  destroy(): void {
    this.arena.destroy();
  }

  private computePass(): GPUComputePassEncoder {
    if (!this.pass) this.pass = this.commandEncoder().beginComputePass();
    return this.pass;
  }

  private endPass(): GPUCommandEncoder {
    this.pass?.end();
    this.pass = null;
    return this.commandEncoder();
  }

  private commandEncoder(): GPUCommandEncoder {
    this.encoder ??= this.device.createCommandEncoder();
    return this.encoder;
  }
}
