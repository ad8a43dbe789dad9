// The payment gateway: the provider-agnostic adapter (gateway.ts) and the
// providers behind it. Only the sandbox exists so far; a real provider is one
// more `kind` here (see payments/README.md).
import type { Db } from '../db/client';
import type { PaymentGateway } from './gateway';
import { createSandboxGateway, type SandboxOptions } from './sandbox';

export * from './gateway';
export { SANDBOX_TEST_CARDS, cardBrand, createSandboxGateway, luhnValid, type SandboxBehaviour, type SandboxOptions } from './sandbox';

export type PaymentGatewayKind = 'sandbox';

export function createPaymentGateway(kind: PaymentGatewayKind, db: Db, opts: SandboxOptions = {}): PaymentGateway {
  switch (kind) {
    case 'sandbox':
      return createSandboxGateway(db, opts);
    default: {
      const unknown: never = kind;
      throw new Error(`unknown payment gateway ${String(unknown)}`);
    }
  }
}
