// Builds a worker from config: used by the worker process and by tests that
// need a real worker on the real dev server.
import { Client, Connection } from '@temporalio/client';
import { NativeConnection, Worker } from '@temporalio/worker';
import { createActivities, type Activities } from '../activities';
import { createMailer } from '../activities/mailer';
import type { Config } from '../config';
import { createDb } from '../db/client';
import { createPaymentGateway } from '../payments';

export interface RunningWorker {
  worker: Worker;
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
  // Activities that message other workflows (confirm seats in an inventory) use a client of their own.
  const clientConnection = await Connection.connect({ address: config.temporal.address });
  const temporal = new Client({ connection: clientConnection, namespace: config.temporal.namespace });
  const gateway = createPaymentGateway('sandbox', dbHandle.db);
  const mailDomain = config.mail.from.match(/@([^>\s]+)/)?.[1] ?? 'railbook.local';
  const worker = await Worker.create({
    connection,
    namespace: config.temporal.namespace,
    taskQueue: config.temporal.taskQueue,
    workflowsPath: require.resolve('../workflows'),
    activities: (opts.wrapActivities ?? ((a) => a))(createActivities({ db: dbHandle.db, mailer, mailDomain, temporal, gateway })),
  });
  return {
    worker,
    async closeDeps() {
      mailer.close();
      await connection.close();
      await clientConnection.close();
      await dbHandle.close();
    },
  };
}
