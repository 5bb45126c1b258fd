// One place that says how Debian's Chromium is launched for tests: the binary and the flags WebGPU needs here.
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** Flags without which the sandboxed root run fails, background traffic hits the closed network, or the WebGPU adapter is null. */
const BASE_FLAGS = [
  '--no-sandbox',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
];

export function chromiumLaunchOptions(opts: { webgpu?: boolean } = {}) {
  const webgpu = opts.webgpu ?? true;
  return {
    executablePath: CHROMIUM_PATH,
    args: webgpu ? [...BASE_FLAGS, '--enable-unsafe-webgpu'] : BASE_FLAGS,
  };
}
