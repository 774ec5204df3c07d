import { readFileSync } from 'node:fs';
import jsQRModule from 'jsqr';
import { PNG } from 'pngjs';

// jsqr is CommonJS: under NodeNext its `export default` is the module object, whose `default` is the function.
const jsQR = jsQRModule.default;

/** Reads the text of the QR code in a PNG image (what the phone's camera does with a Service VDS QR). */
export function scanQrPng(pngBytes: Uint8Array): string {
  const image = PNG.sync.read(Buffer.from(pngBytes));
  const code = jsQR(
    new Uint8ClampedArray(image.data.buffer, image.data.byteOffset, image.data.byteLength),
    image.width,
    image.height,
  );
  if (!code) throw new Error('no QR code found in the image');
  return code.data;
}

export function scanQrPngFile(path: string): string {
  return scanQrPng(readFileSync(path));
}
