// Reads a PDF from stdin and prints {"text": …, "images": [base64 PNG, …]} (pdf-parse). A process of
// its own because pdf.js loads its worker with a dynamic import(), which jest's module sandbox refuses
// (test/helpers/pdf.ts runs it).
import { Buffer } from 'node:buffer';
import { PDFParse } from 'pdf-parse';

const chunks = [];
for await (const chunk of process.stdin) chunks.push(chunk);
const parser = new PDFParse({ data: new Uint8Array(Buffer.concat(chunks)) });
try {
  const info = await parser.getInfo();
  const text = await parser.getText();
  const images = await parser.getImage({ imageDataUrl: false, imageBuffer: true });
  process.stdout.write(
    JSON.stringify({
      pages: info.total,
      title: info.info?.Title ?? null,
      text: text.text,
      images: images.pages.flatMap((p) => p.images.map((i) => Buffer.from(i.data).toString('base64'))),
    }),
  );
} finally {
  await parser.destroy();
}
