import { ApplicationFailure, log } from '@temporalio/activity';
import { FailureType, type EmailMessage, type EmailResult } from '../contracts';
import type { Db } from '../db/client';
import { claimNotification, markNotificationFailed, markNotificationSent } from '../db/repositories/notifications';
import type { Mailer, OutgoingMail } from './mailer';

export interface NotificationDeps {
  db: Db;
  mailer: Mailer;
  mailDomain: string;
  /**
   * The e-ticket PDF of a confirmed booking (tickets/issue.ts), attached to its ticket email; null when the
   * booking has no ticket. Absent: ticket emails go without it.
   */
  ticketPdf?: (pnr: string) => Promise<Buffer | null>;
}

/** How long a ticket email waits for its PDF before it goes without (the activity has 30 s in all). */
const TICKET_PDF_TIMEOUT_MS = 10_000;

/**
 * Only a refusal of the recipient itself is permanent (RFC 5321: 550 mailbox
 * unavailable, 551 user not local, 553 mailbox name not allowed). Every other
 * failure, a 5xx of a server in trouble included, is retried with backoff: a
 * mail server that answers 554 for ten minutes must not cost a traveller the
 * ticket (the booking workflow records a delivery that still fails).
 */
const PERMANENT_SMTP_CODES = new Set([550, 551, 553]);
function isPermanentSmtpError(err: unknown): boolean {
  const code = (err as { responseCode?: number }).responseCode;
  return typeof code === 'number' && PERMANENT_SMTP_CODES.has(code);
}

export function createNotificationActivities({ db, mailer, mailDomain, ticketPdf }: NotificationDeps) {
  /**
   * The ticket email's PDF attachment, or none: a PDF that cannot be built (Postgres slow or down, a
   * rendering fault) never holds up or fails the email, which carries the ticket's text anyway.
   */
  async function ticketAttachments(msg: EmailMessage): Promise<OutgoingMail['attachments']> {
    if (msg.kind !== 'ticket' || !msg.pnr || !ticketPdf) return undefined;
    let timer: NodeJS.Timeout | undefined;
    try {
      const pdf = await Promise.race([
        ticketPdf(msg.pnr),
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new Error(`not built within ${TICKET_PDF_TIMEOUT_MS} ms`)), TICKET_PDF_TIMEOUT_MS);
        }),
      ]);
      if (!pdf) return undefined;
      return [{ filename: `railbook-ticket-${msg.pnr}.pdf`, content: pdf, contentType: 'application/pdf' }];
    } catch (err) {
      log.warn('ticket email sent without its PDF', { pnr: msg.pnr, error: err instanceof Error ? err.message : String(err) });
      return undefined;
    } finally {
      clearTimeout(timer);
    }
  }

  return {
    /**
     * Sends one email at most once per dedupe key: the notifications row is
     * the record of intent and of delivery. A crash after the SMTP hand-off
     * but before the row is marked can resend; the stable Message-ID lets the
     * receiving side drop that duplicate.
     */
    async sendEmail(msg: EmailMessage): Promise<EmailResult> {
      if (!/^[^\s@]+@[^\s@]+$/.test(msg.to)) {
        throw ApplicationFailure.nonRetryable(`invalid recipient address`, FailureType.InvalidInput);
      }
      const row = await claimNotification(db, {
        dedupeKey: msg.dedupeKey,
        kind: msg.kind,
        pnr: msg.pnr ?? null,
        userId: msg.userId ?? null,
        recipient: msg.to,
        subject: msg.subject,
      });
      if (row.status === 'sent') return { status: 'already-sent', messageId: row.providerMessageId };
      const messageId = `<${msg.dedupeKey.replace(/[^\w.-]+/g, '.')}@${mailDomain}>`;
      const attachments = await ticketAttachments(msg);
      try {
        const sent = await mailer.send({ to: msg.to, subject: msg.subject, text: msg.text, html: msg.html, messageId, ...(attachments ? { attachments } : {}) });
        await markNotificationSent(db, row.id, sent.messageId);
        return { status: 'sent', messageId: sent.messageId };
      } catch (err) {
        const permanent = isPermanentSmtpError(err);
        await markNotificationFailed(db, row.id, err instanceof Error ? err.message : String(err), permanent);
        const message = err instanceof Error ? err.message : String(err);
        if (permanent) throw ApplicationFailure.nonRetryable(`mail rejected: ${message}`, FailureType.MailRejected);
        throw ApplicationFailure.retryable(`mail not sent: ${message}`, FailureType.MailUnavailable);
      }
    },
  };
}
