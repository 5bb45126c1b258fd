// Size-bucketed pool of GPU buffers: freed buffers are reused, because creating buffers is slow on every driver.

interface IdleBuffer {
  buffer: GPUBuffer;
  /** The submission epoch in which the buffer was freed (see `acquire`). */
  epoch: number;
}

const MIN_BUCKET = 256;

/** Rounds a request up to a bucket: 256 B minimum, then quarter steps between powers of two (≤ 25 % waste). */
export function bucketBytes(bytes: number): number {
  if (bytes <= MIN_BUCKET) return MIN_BUCKET;
  const power = 2 ** Math.floor(Math.log2(bytes - 1));
  const step = power / 4;
  return Math.ceil(bytes / step) * step;
}

export interface PoolStats {
  created: number;
  reused: number;
  idle: number;
}

export class BufferPool {
  private readonly idle = new Map<number, IdleBuffer[]>();
  private epoch = 0;
  private idleBytes = 0;
  private doomed: GPUBuffer[] = [];
  private created = 0;
  private reused = 0;

  constructor(
    /** Makes a buffer of `size` bytes (a bucket) for a request of `requested` bytes (named in OOM errors). */
    private readonly create: (size: number, requested: number) => GPUBuffer,
    private readonly maxIdleBytes: number,
    /** The device's maxBufferSize: buckets never round past it. */
    private readonly maxBufferBytes: number,
  ) {}

  /**
   * A buffer of at least `bytes`. `forHostWrite` (queue.writeBuffer targets) skips buffers freed since the last
   * submit: writeBuffer runs before the still-unsubmitted commands that may read the buffer's old contents.
   */
  acquire(bytes: number, forHostWrite: boolean): GPUBuffer {
    const size = bytes <= this.maxBufferBytes ? Math.min(bucketBytes(bytes), this.maxBufferBytes) : bytes;
    const list = this.idle.get(size);
    if (list) {
      for (let i = list.length - 1; i >= 0; i--) {
        const entry = list[i] as IdleBuffer;
        if (forHostWrite && entry.epoch >= this.epoch) continue;
        list.splice(i, 1);
        this.idleBytes -= size;
        this.reused++;
        return entry.buffer;
      }
    }
    this.created++;
    return this.create(size, bytes);
  }

  release(buffer: GPUBuffer): void {
    if (this.idleBytes + buffer.size > this.maxIdleBytes) {
      // Pending commands may still use it: destroy only after the next submit.
      this.doomed.push(buffer);
      return;
    }
    const list = this.idle.get(buffer.size) ?? [];
    list.push({ buffer, epoch: this.epoch });
    this.idle.set(buffer.size, list);
    this.idleBytes += buffer.size;
  }

  /** Called after every submit: buffers freed before it are now safe for host writes. */
  advance(): void {
    this.epoch++;
    for (const buffer of this.doomed) buffer.destroy();
    this.doomed = [];
  }

  stats(): PoolStats {
    let idle = 0;
    for (const list of this.idle.values()) idle += list.length;
    return { created: this.created, reused: this.reused, idle };
  }

  destroyAll(): void {
    for (const list of this.idle.values()) for (const entry of list) entry.buffer.destroy();
    this.idle.clear();
    this.idleBytes = 0;
    this.advance();
  }
}
