// Reading the PDFs the API makes, as a person's PDF reader and an inspector's scanner would: the text,
// and the QR code decoded from the embedded image.
import { execFile } from 'node:child_process';
import path from 'node:path';
import jsQR from 'jsqr';
import { PNG } from 'pngjs';

export interface ReadPdf {
  pages: number;
  title: string | null;
  text: string;
  /** Each embedded image as PNG. */
  images: Buffer[];
}

/** Parses a PDF with pdf-parse (in a child process: see readPdf.mjs). Rejects if it is not a PDF. */
export function readPdf(pdf: Buffer): Promise<ReadPdf> {
  return new Promise((resolve, reject) => {
    const child = execFile(
      process.execPath,
      [path.join(__dirname, 'readPdf.mjs')],
      { maxBuffer: 64 * 1024 * 1024, timeout: 30_000 },
      (err, stdout, stderr) => {
        if (err) return reject(new Error(`pdf-parse failed: ${stderr || err.message}`));
        const out = JSON.parse(stdout) as Omit<ReadPdf, 'images'> & { images: string[] };
        resolve({ ...out, images: out.images.map((b) => Buffer.from(b, 'base64')) });
      },
    );
    child.stdin?.end(pdf);
  });
}

/** The text of the first QR code found in the PNG image; null when there is none. */
export function decodeQr(png: Buffer): string | null {
  const img = PNG.sync.read(png);
  return jsQR(new Uint8ClampedArray(img.data), img.width, img.height)?.data ?? null;
}

/** The text of the first QR code among the PDF's images. */
export function qrOf(read: ReadPdf): string | null {
  for (const image of read.images) {
    const text = decodeQr(image);
    if (text !== null) return text;
  }
  return null;
}
