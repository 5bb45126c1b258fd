// Hub file addresses in the cache view, and the cache's rule: remote files only.
import { describe, expect, it } from 'vitest';
import { createHubFileCache, parseHubFileUrl } from './cache';

describe('parseHubFileUrl', () => {
  it('reads the repository and the path inside it', () => {
    expect(
      parseHubFileUrl(
        'https://huggingface.co/onnx-community/Qwen2-VL-2B-Instruct/resolve/main/onnx/embed_tokens_fp16.onnx',
      ),
    ).toEqual({
      host: 'https://huggingface.co',
      modelId: 'onnx-community/Qwen2-VL-2B-Instruct',
      path: 'onnx/embed_tokens_fp16.onnx',
    });
    expect(parseHubFileUrl('https://mirror.example/a/b.bin')).toEqual({
      host: 'https://mirror.example',
      modelId: 'https://mirror.example',
      path: 'a/b.bin',
    });
  });
});

describe('createHubFileCache', () => {
  it('never stores or answers files of this app or relative paths (no Cache API needed to decide)', async () => {
    const cache = createHubFileCache('http://app.test');
    expect(await cache.match('/models/nano-sam/config.json')).toBeUndefined();
    expect(await cache.match('http://app.test/models/x/config.json')).toBeUndefined();
    await expect(cache.put('/models/x/config.json', new Response('{}'))).resolves.toBeUndefined();
    expect(await cache.delete('http://app.test/models/x/config.json')).toBe(false);
  });
});
