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
  status: 'sent' | 'already-sent';
  messageId: string | null;
}
