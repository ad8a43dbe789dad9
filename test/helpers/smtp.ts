// A real SMTP server in the test process: nodemailer talks SMTP to it, and the
// test reads what arrived, parsed. setFailing(code) makes it answer every new
// message with that 5xx reply (at MAIL FROM) until setFailing(null): a mail
// provider refusing service, for the chaos run and the mail-failure tests.
import type { AddressInfo } from 'node:net';
import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer } from 'smtp-server';

export interface SmtpCatcher {
  url: string;
  messages: ParsedMail[];
  /** Messages refused while failing (one per MAIL FROM answered with the failure code). */
  refused: number;
  /** Answer every new message with this 5xx code (e.g. 554) until called with null. */
  setFailing(code: number | null): void;
  waitFor(predicate: (m: ParsedMail) => boolean, timeoutMs?: number): Promise<ParsedMail>;
  close(): Promise<void>;
}

export interface SmtpCatcherOptions {
  /** Start failing with this 5xx code (see setFailing). */
  failWith?: number;
  /** Keep only the last n parsed messages (a long chaos run sends thousands); default all. */
  keep?: number;
}

export async function startSmtpCatcher(opts: SmtpCatcherOptions = {}): Promise<SmtpCatcher> {
  const messages: ParsedMail[] = [];
  const waiters: (() => void)[] = [];
  let failWith: number | null = opts.failWith ?? null;
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onMailFrom(_address, _session, callback) {
      if (failWith === null) return callback();
      catcher.refused += 1;
      const err = new Error(`mail service unavailable (test switch, ${failWith})`) as Error & { responseCode: number };
      err.responseCode = failWith;
      callback(err);
    },
    onData(stream, _session, callback) {
      simpleParser(stream)
        .then((mail) => {
          messages.push(mail);
          if (opts.keep !== undefined && messages.length > opts.keep) messages.splice(0, messages.length - opts.keep);
          waiters.splice(0).forEach((w) => w());
          callback();
        })
        .catch(callback);
    },
  });
  // A client that dies mid-session (a worker SIGKILLed by a test) resets its connection: that is
  // the client's failure, not the catcher's, and must not surface as an unhandled 'error' event.
  server.on('error', () => undefined);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.server.address() as AddressInfo;
  const catcher: SmtpCatcher = {
    url: `smtp://127.0.0.1:${port}`,
    messages,
    refused: 0,
    setFailing(code) {
      if (code !== null && (!Number.isInteger(code) || code < 500 || code > 599)) throw new RangeError(`a 5xx code, got ${code}`);
      failWith = code;
    },
    async waitFor(predicate, timeoutMs = 20_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const found = messages.find(predicate);
        if (found) return found;
        const left = deadline - Date.now();
        if (left <= 0) throw new Error(`no matching email within ${timeoutMs} ms (${messages.length} received)`);
        await new Promise<void>((resolve) => {
          waiters.push(resolve);
          setTimeout(resolve, Math.min(left, 500));
        });
      }
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
  return catcher;
}
