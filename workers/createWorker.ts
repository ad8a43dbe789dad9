// Builds the worker from config: used by the worker process and by tests that
// need a real worker on the real dev server. One process, two SDK workers on
// one connection and one workflow bundle: the main task queue (bookings,
// notices, everything else) and the inventory actors' own queue, so that hold
// batches are never queued behind booking tasks (contracts/taskQueues.ts).
import { Client, Connection } from '@temporalio/client';
import { bundleWorkflowCode, NativeConnection, Worker } from '@temporalio/worker';
import { createActivities, type Activities } from '../activities';
import { createMailer } from '../activities/mailer';
import type { Config } from '../config';
import { inventoryTaskQueue } from '../contracts/taskQueues';
import { createDb } from '../db/client';
import { createPaymentGateway } from '../payments';
import { ticketPdfFromRecords, ticketSource } from '../tickets/issue';

/** Both SDK workers, run and stopped together. */
export interface WorkerGroup {
  /** Resolves when both have stopped; if one fails, the other is shut down and the failure is thrown. */
  run(): Promise<void>;
  shutdown(): void;
}

export interface RunningWorker {
  worker: WorkerGroup;
  /** Closes the clients the activities hold; call after worker.run() resolves. */
  closeDeps(): Promise<void>;
}

export interface WorkerOptions {
  /** Tests hold an activity back (e.g. the booking actor starts) to reach a state that is otherwise brief. */
  wrapActivities?: (activities: Activities) => Activities;
}

export async function createWorker(config: Config, opts: WorkerOptions = {}): Promise<RunningWorker> {
  const dbHandle = createDb(config.databaseUrl, { max: 10, applicationName: 'railbook-worker' });
  const mailer = createMailer(config.mail);
  const connection = await NativeConnection.connect({ address: config.temporal.address });
  // Activities that message or start other workflows use a client of their own.
  const clientConnection = await Connection.connect({ address: config.temporal.address });
  const temporal = new Client({ connection: clientConnection, namespace: config.temporal.namespace });
  const gateway = createPaymentGateway('sandbox', dbHandle.db);
  const mailDomain = config.mail.from.match(/@([^>\s]+)/)?.[1] ?? 'railbook.local';
  const { taskQueue, namespace } = config.temporal;
  // The ticket email's PDF is made from the booking's records, as GET /bookings/:pnr/ticket.pdf makes it.
  const tickets = ticketSource(dbHandle.db, config.tickets.keys, config.booking.advanceDays);
  const ticketPdf = (pnr: string) => ticketPdfFromRecords(tickets, pnr);
  const activities = (opts.wrapActivities ?? ((a) => a))(
    createActivities({
      db: dbHandle.db,
      mailer,
      mailDomain,
      temporal,
      gateway,
      taskQueue,
      chartLeadMs: config.railway.chartMinutesBeforeDeparture * 60_000,
      quotaPools: config.railway.quotaPools,
      racBerthsPerCoach: config.railway.racBerthsPerCoach,
      ...(config.tickets.attachPdf ? { ticketPdf } : {}),
    }),
  );
  const workflowBundle = await bundleWorkflowCode({ workflowsPath: require.resolve('../workflows') });
  const workers = await Promise.all(
    [taskQueue, inventoryTaskQueue(taskQueue)].map((queue) =>
      Worker.create({ connection, namespace, taskQueue: queue, workflowBundle, activities, maxCachedWorkflows: config.worker.maxCachedWorkflows }),
    ),
  );
  const group: WorkerGroup = {
    async run() {
      const runs = workers.map((w) => w.run());
      try {
        await Promise.all(runs);
      } catch (err) {
        group.shutdown();
        await Promise.allSettled(runs);
        throw err;
      }
    },
    shutdown() {
      for (const w of workers) if (w.getState() === 'RUNNING') w.shutdown();
    },
  };
  return {
    worker: group,
    async closeDeps() {
      mailer.close();
      await connection.close();
      await clientConnection.close();
      await dbHandle.close();
    },
  };
}
