// Chooses a worker's compute backend once (WebGPU when a device really computes, else wasm) and tracks device loss.
import { absenceOf, acquireDevice, type AcquiredDevice } from '../webgpu/device';
import { deviceComputes } from '../webgpu/selftest';
import type { BackendPreference, BackendReport, WorkerKind } from './protocol';

function wasmThreads(): number {
  return globalThis.crossOriginIsolated ? Math.max(1, globalThis.navigator?.hardwareConcurrency ?? 1) : 1;
}

export class BackendOwner {
  private report: Promise<BackendReport> | null = null;
  private acquired: AcquiredDevice | null = null;
  private lostReason: string | null = null;

  constructor(
    private readonly worker: WorkerKind,
    private readonly gpu: GPU | null = globalThis.navigator?.gpu ?? null,
  ) {}

  /** The current report; the first call acquires the device (per `preference`), later calls reuse it unless it was lost. */
  capabilities(preference: BackendPreference = 'auto'): Promise<BackendReport> {
    this.report ??= this.choose(preference);
    return this.report;
  }

  /** The live device, or null when this worker runs on wasm. */
  get device(): GPUDevice | null {
    return this.lostReason ? null : (this.acquired?.device ?? null);
  }

  private base(): Pick<BackendReport, 'worker' | 'crossOriginIsolated' | 'wasmThreads'> {
    return {
      worker: this.worker,
      crossOriginIsolated: Boolean(globalThis.crossOriginIsolated),
      wasmThreads: wasmThreads(),
    };
  }

  private async choose(preference: BackendPreference): Promise<BackendReport> {
    if (preference === 'wasm') {
      const webgpu = {
        available: false as const,
        code: 'not-requested' as const,
        reason: 'wasm was asked for (backend=wasm)',
      };
      return { ...this.base(), backend: 'wasm', webgpu, selfTest: 'not-run', fallbackReason: webgpu.reason };
    }
    let acquired: AcquiredDevice;
    try {
      acquired = await acquireDevice(this.gpu);
    } catch (err) {
      const webgpu = absenceOf(err);
      return { ...this.base(), backend: 'wasm', webgpu, selfTest: 'not-run', fallbackReason: webgpu.reason };
    }
    if (preference === 'auto' && acquired.capabilities.isFallbackAdapter) {
      acquired.device.destroy();
      return {
        ...this.base(),
        backend: 'wasm',
        webgpu: acquired.capabilities,
        selfTest: 'not-run',
        fallbackReason:
          `The only WebGPU adapter is a software fallback (${acquired.capabilities.architecture || 'CPU'}), ` +
          'where wasm is much faster; add ?backend=webgpu to the address to use it anyway.',
      };
    }
    const computes = await deviceComputes(acquired.device).catch(() => false);
    if (!computes) {
      acquired.device.destroy();
      return {
        ...this.base(),
        backend: 'wasm',
        webgpu: acquired.capabilities,
        selfTest: 'failed',
        fallbackReason: 'The WebGPU device returned wrong numbers in a self-test, so it is not used.',
      };
    }
    this.acquired = acquired;
    this.watchForLoss(acquired.device);
    return {
      ...this.base(),
      backend: 'webgpu',
      webgpu: acquired.capabilities,
      selfTest: 'passed',
      fallbackReason: null,
    };
  }

  /** A lost device (driver reset, tab in background too long) moves the worker to wasm; the UI sees it in the report. */
  private watchForLoss(device: GPUDevice): void {
    void device.lost.then((info) => {
      if (info.reason === 'destroyed') return;
      this.lostReason = `The WebGPU device was lost (${info.message || info.reason}); running on wasm now.`;
      this.report = this.capabilities().then((previous) => ({
        ...previous,
        backend: 'wasm' as const,
        fallbackReason: this.lostReason,
      }));
    });
  }
}
