// The one way mail leaves the system. With SMTP_URL it talks SMTP; without it
// (development) each message is written as an .eml file to MAIL_OUTBOX_DIR,
// which any mail client opens.
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import nodemailer from 'nodemailer';

export interface OutgoingMail {
  to: string;
  subject: string;
  text: string;
  html?: string;
  /** Stable Message-ID so a receiver can drop a duplicate of a retried send. */
  messageId: string;
  attachments?: { filename: string; content: Buffer; contentType: string }[];
}

export interface Mailer {
  send(mail: OutgoingMail): Promise<{ messageId: string }>;
  close(): void;
  describe(): string;
}

export interface MailerOptions {
  smtpUrl: string | null;
  from: string;
  outboxDir: string;
}

export function createMailer(opts: MailerOptions): Mailer {
  if (opts.smtpUrl) {
    const transport = nodemailer.createTransport(opts.smtpUrl);
    return {
      async send(mail) {
        const info = await transport.sendMail({ from: opts.from, ...mail });
        return { messageId: info.messageId ?? mail.messageId };
      },
      close: () => transport.close(),
      describe: () => `SMTP ${new URL(opts.smtpUrl as string).host}`,
    };
  }
  const transport = nodemailer.createTransport({ streamTransport: true, buffer: true, newline: 'unix' });
  const dir = path.resolve(opts.outboxDir);
  return {
    async send(mail) {
      const info = await transport.sendMail({ from: opts.from, ...mail });
      await mkdir(dir, { recursive: true });
      const safeId = mail.messageId.replace(/[^\w.-]+/g, '_');
      await writeFile(path.join(dir, `${safeId}.eml`), info.message as Buffer);
      return { messageId: mail.messageId };
    },
    close: () => transport.close(),
    describe: () => `file outbox ${dir}`,
  };
}
