// Payloads exchanged between the API, the workflows and the activities.
export interface UserWelcomeInput {
  userId: number;
  email: string;
  name: string;
}

export interface EmailMessage {
  /** Unique per logical message; a second send with the same key is a no-op. */
  dedupeKey: string;
  kind: string;
  to: string;
  subject: string;
  text: string;
  html?: string;
  userId?: number;
  pnr?: string;
}

export interface EmailResult {
  /** failed: refused for good or after every retry (the notifications row has the error). */
  status: 'sent' | 'already-sent' | 'failed';
  messageId: string | null;
}
