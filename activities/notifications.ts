import { ApplicationFailure } from '@temporalio/activity';
import { FailureType, type EmailMessage, type EmailResult } from '../contracts';
import type { Db } from '../db/client';
import { claimNotification, markNotificationFailed, markNotificationSent } from '../db/repositories/notifications';
import type { Mailer } from './mailer';

export interface NotificationDeps {
  db: Db;
  mailer: Mailer;
  mailDomain: string;
}

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

export function createNotificationActivities({ db, mailer, mailDomain }: NotificationDeps) {
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
      try {
        const sent = await mailer.send({ to: msg.to, subject: msg.subject, text: msg.text, html: msg.html, messageId });
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
