// A tiny compute round trip (upload, WGSL kernel, asynchronous read-back) proving that a device really computes.

const DOUBLE_PLUS_ONE = /* wgsl */ `
@group(0) @binding(0) var<storage, read_write> data: array<f32>;
@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) id: vec3<u32>) {
  if (id.x < arrayLength(&data)) { data[id.x] = data[id.x] * 2.0 + 1.0; }
}`;

/** Runs y = 2x + 1 on the GPU and returns y; buffers are destroyed before returning. */
export async function computeRoundTrip(device: GPUDevice, input: Float32Array): Promise<Float32Array> {
  const size = input.byteLength;
  const storage = device.createBuffer({
    size,
    usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST,
  });
  const readback = device.createBuffer({ size, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
  try {
    device.queue.writeBuffer(storage, 0, input);
    const pipeline = device.createComputePipeline({
      layout: 'auto',
      compute: { module: device.createShaderModule({ code: DOUBLE_PLUS_ONE }), entryPoint: 'main' },
    });
    const bindGroup = device.createBindGroup({
      layout: pipeline.getBindGroupLayout(0),
      entries: [{ binding: 0, resource: { buffer: storage } }],
    });
    const encoder = device.createCommandEncoder();
    const pass = encoder.beginComputePass();
    pass.setPipeline(pipeline);
    pass.setBindGroup(0, bindGroup);
    pass.dispatchWorkgroups(Math.ceil(input.length / 64));
    pass.end();
    encoder.copyBufferToBuffer(storage, 0, readback, 0, size);
    device.queue.submit([encoder.finish()]);
    await readback.mapAsync(GPUMapMode.READ);
    return new Float32Array(readback.getMappedRange().slice(0));
  } finally {
    storage.destroy();
    readback.destroy();
  }
}

/** True when the device computes 2x + 1 exactly on a small ramp. */
export async function deviceComputes(device: GPUDevice): Promise<boolean> {
  const input = Float32Array.from({ length: 257 }, (_, i) => i - 128);
  const output = await computeRoundTrip(device, input);
  return output.every((y, i) => y === 2 * (input[i] as number) + 1);
}
