// Browser tests of image validation with Chromium's real decoder: good images pass, damaged ones are refused.
import { describe, expect, it } from 'vitest';
import { validateImageFile } from './images';

async function pngOf(width: number, height: number): Promise<Blob> {
  const canvas = new OffscreenCanvas(width, height);
  const ctx = canvas.getContext('2d')!;
  ctx.fillStyle = '#c33';
  ctx.fillRect(0, 0, width, height);
  return canvas.convertToBlob({ type: 'image/png' });
}

describe('validateImageFile', () => {
  it('decodes a PNG and returns its size and content hash', async () => {
    const blob = await pngOf(33, 17);
    const valid = await validateImageFile(new File([blob], 'red.png'));
    expect(valid).toMatchObject({
      name: 'red.png',
      type: 'image/png',
      width: 33,
      height: 17,
      bytes: blob.size,
    });
    expect(valid.id).toMatch(/^[0-9a-f]{64}$/);
    const again = await validateImageFile(new File([blob], 'copy.png'));
    expect(again.id).toBe(valid.id);
  });

  it('refuses a truncated PNG as undecodable', async () => {
    const blob = await pngOf(64, 64);
    const truncated = new File([(await blob.arrayBuffer()).slice(0, 40)], 'cut.png');
    await expect(validateImageFile(truncated)).rejects.toMatchObject({ code: 'decode-failed' });
  });

  it('refuses a text file named .png by its content', async () => {
    await expect(validateImageFile(new File(['not an image at all'], 'fake.png'))).rejects.toMatchObject({
      code: 'unsupported-type',
    });
  });

  it('refuses an image too small to segment', async () => {
    await expect(validateImageFile(new File([await pngOf(4, 40)], 'thin.png'))).rejects.toMatchObject({
      code: 'too-small',
    });
  });
});
