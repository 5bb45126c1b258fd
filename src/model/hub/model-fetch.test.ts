// Unit tests of the model fetch guard: folders answer from memory, only the app and configured hosts reach the network.
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  createModelFetch,
  ModelSourceError,
  modelFolderFiles,
  registerModelFolder,
  unregisterModelFolder,
} from './model-fetch';

const config = {
  localModelPath: '/models/',
  allowedHosts: ['https://huggingface.co'],
  origin: 'http://app.test',
};

describe('createModelFetch', () => {
  afterEach(() => unregisterModelFolder('picked/model'));

  it('answers a registered folder from memory without touching the network', async () => {
    const network = vi.fn<typeof fetch>();
    registerModelFolder('picked/model', new Map([['onnx/a.onnx', new Blob(['bytes'])]]));
    const modelFetch = createModelFetch(config, network);
    expect(await (await modelFetch('/models/picked/model/onnx/a.onnx')).text()).toBe('bytes');
    expect((await modelFetch('/models/picked/model/missing.json')).status).toBe(404);
    expect(network).not.toHaveBeenCalled();
  });

  it('lets the app origin and configured hosts through', async () => {
    const network = vi.fn<typeof fetch>(async () => new Response('ok'));
    const modelFetch = createModelFetch(config, network);
    await modelFetch('/models/nano-sam/config.json');
    await modelFetch('https://huggingface.co/Xenova/slimsam-77-uniform/resolve/main/config.json');
    expect(network.mock.calls.map(([url]) => String(url))).toEqual([
      'http://app.test/models/nano-sam/config.json',
      'https://huggingface.co/Xenova/slimsam-77-uniform/resolve/main/config.json',
    ]);
  });

  it('refuses any other host with a typed error naming it', async () => {
    const network = vi.fn<typeof fetch>();
    const modelFetch = createModelFetch(config, network);
    await expect(modelFetch('https://evil.example/steal?img=1')).rejects.toBeInstanceOf(ModelSourceError);
    await expect(modelFetch('https://huggingface.co.evil.example/x')).rejects.toThrow(
      /not https:\/\/huggingface\.co\.evil\.example/,
    );
    expect(network).not.toHaveBeenCalled();
  });

  it('gives folder files a content-length, so sizes are known before reading', async () => {
    registerModelFolder('picked/model', new Map([['onnx/a.onnx', new Blob(['12345'])]]));
    const response = await createModelFetch(
      config,
      vi.fn<typeof fetch>(),
    )('/models/picked/model/onnx/a.onnx');
    expect(response.headers.get('content-length')).toBe('5');
  });

  it("turns the app's HTML fallback page under /models/ into a 404", async () => {
    const page = () => new Response('<!doctype html>', { headers: { 'content-type': 'text/html' } });
    const modelFetch = createModelFetch(
      config,
      vi.fn<typeof fetch>(async () => page()),
    );
    expect((await modelFetch('/models/org/repo/config.json')).status).toBe(404);
    expect((await modelFetch('/index.html')).status).toBe(200);
  });

  it('stops requests once the load signal fires, and hands the signal to the network', async () => {
    const controller = new AbortController();
    const network = vi.fn<typeof fetch>(async () => new Response('ok'));
    const modelFetch = createModelFetch({ ...config, signal: () => controller.signal }, network);
    await modelFetch('https://huggingface.co/a/b/resolve/main/config.json');
    expect(network.mock.calls[0]?.[1]?.signal).toBe(controller.signal);
    controller.abort();
    await expect(modelFetch('https://huggingface.co/a/b/resolve/main/x.onnx')).rejects.toMatchObject({
      name: 'AbortError',
    });
    expect(network).toHaveBeenCalledTimes(1);
  });

  it('refuses ids that could escape the models folder', () => {
    expect(() => registerModelFolder('../etc', new Map())).toThrow(ModelSourceError);
  });
});

describe('modelFolderFiles', () => {
  it('addresses files by their path inside the picked folder', () => {
    const file = (path: string) =>
      Object.assign(new File(['x'], path.split('/').pop()!), { webkitRelativePath: path });
    const { folder, files } = modelFolderFiles([
      file('slimsam/config.json'),
      file('slimsam/onnx/vision_encoder.onnx'),
    ]);
    expect(folder).toBe('slimsam');
    expect([...files.keys()]).toEqual(['config.json', 'onnx/vision_encoder.onnx']);
  });
});
