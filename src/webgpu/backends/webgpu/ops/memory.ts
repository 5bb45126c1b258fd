// Host <-> device transfers: uploads with queue.writeBuffer, reads through a mapped staging buffer (never sync).
import type { DType, HostData, Storage } from '../../../backend';
import { DeviceLostError } from '../../../errors';
import type { GpuContext } from '../context';
import type { GpuStorage } from '../storage';

function typed(data: ArrayLike<number>, dtype: DType): Float32Array | Int32Array {
  if (dtype === 'i32') return data instanceof Int32Array ? data : Int32Array.from(data, Math.trunc);
  return data instanceof Float32Array ? data : Float32Array.from(data);
}

export function upload(ctx: GpuContext, data: ArrayLike<number>, dtype: DType): GpuStorage {
  const storage = ctx.alloc(dtype, data.length, true);
  if (data.length > 0) ctx.device.queue.writeBuffer(storage.buffer, 0, typed(data, dtype));
  return storage;
}

const delay = (ms: number) => new Promise<null>((resolve) => setTimeout(() => resolve(null), ms));

/** Submits everything recorded so far, copies the storage out and maps it; a lost device rejects, never hangs. */
export async function read(ctx: GpuContext, storage: Storage): Promise<HostData> {
  const own = ctx.use(storage);
  ctx.failures.check();
  if (own.size === 0) return own.dtype === 'i32' ? new Int32Array(0) : new Float32Array(0);
  const bytes = own.bytes;
  const staging = ctx.staging.acquire(bytes, false);
  ctx.recorder.copy(own.buffer, staging, bytes);
  ctx.flush();
  try {
    await Promise.race([
      staging.mapAsync(GPUMapMode.READ, 0, bytes),
      ctx.failures.whenLost.then((lost) => Promise.reject(lost)),
    ]);
  } catch (err) {
    // A rejected map is almost always a destroyed device whose loss is announced a moment later.
    const lost = await Promise.race([ctx.failures.whenLost, delay(100)]);
    if (lost) throw lost;
    ctx.failures.check();
    throw err instanceof Error ? err : new DeviceLostError(String(err));
  }
  const copy = staging.getMappedRange(0, bytes).slice(0);
  staging.unmap();
  ctx.staging.release(staging);
  ctx.failures.check();
  return own.dtype === 'i32' ? new Int32Array(copy) : new Float32Array(copy);
}
