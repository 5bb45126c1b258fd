// Packs a kernel's scalar parameters (u32 / i32 / f32 words) for the per-dispatch uniform slot.

/** Words per dispatch slot: 256 bytes, the uniform-offset alignment every adapter accepts. */
export const PARAM_WORDS = 64;

export class Params {
  readonly words = new Uint32Array(PARAM_WORDS);
  private readonly view = new DataView(this.words.buffer);
  private next = 0;

  /** Moves the write cursor, so fixed-layout kernels can place arrays at known offsets. */
  at(index: number): this {
    this.next = index;
    return this;
  }

  u32(...values: number[]): this {
    for (const v of values) this.put((i) => this.view.setUint32(i, v >>> 0, true));
    return this;
  }

  i32(...values: number[]): this {
    for (const v of values) this.put((i) => this.view.setInt32(i, v, true));
    return this;
  }

  f32(...values: number[]): this {
    for (const v of values) this.put((i) => this.view.setFloat32(i, v, true));
    return this;
  }

  private put(write: (byteOffset: number) => void): void {
    if (this.next >= PARAM_WORDS) throw new RangeError(`kernel parameters exceed ${PARAM_WORDS} words`);
    write(this.next * 4);
    this.next++;
  }
}
