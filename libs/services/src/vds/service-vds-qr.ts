import QRCode from 'qrcode';
import { DomainError } from '#idtoken/platform';

// spec §5: `GET /services/{serviceId}/vds.svg` and `.png` render the Service VDS text as a QR code. Error
// correction M (15 %): a printed or screen-shown code survives some damage and glare without growing much.
const OPTIONS = { errorCorrectionLevel: 'M', margin: 4 } as const;

export function serviceVdsQrSvg(text: string): Promise<string> {
  return render(() => QRCode.toString(text, { ...OPTIONS, type: 'svg' }));
}

export function serviceVdsQrPng(text: string): Promise<Buffer> {
  return render(() => QRCode.toBuffer(text, { ...OPTIONS, type: 'png', scale: 6 }));
}

async function render<T>(draw: () => Promise<T>): Promise<T> {
  try {
    return await draw();
  } catch (error) {
    // Only a data: logo near its 4096-byte ceiling makes the text too long for any QR version.
    throw new DomainError(
      'conflict',
      `This Service VDS is too long for a QR code (${String(error)}); use an https logoUrl`,
    );
  }
}
