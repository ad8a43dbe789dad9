// Builds a worker from config: used by the worker process and by tests that
// need a real worker on the real dev server.
import { NativeConnection, Worker } from '@temporalio/worker';
import { createActivities } from '../activities';
import { createMailer } from '../activities/mailer';
import type { Config } from '../config';
import { createDb } from '../db/client';

export interface RunningWorker {
  worker: Worker;
  /** Closes the clients the activities hold; call after worker.run() resolves. */
  closeDeps(): Promise<void>;
}

export async function createWorker(config: Config): Promise<RunningWorker> {
  const dbHandle = createDb(config.databaseUrl, { max: 10, applicationName: 'railbook-worker' });
  const mailer = createMailer(config.mail);
  const connection = await NativeConnection.connect({ address: config.temporal.address });
  const mailDomain = config.mail.from.match(/@([^>\s]+)/)?.[1] ?? 'railbook.local';
  const worker = await Worker.create({
    connection,
    namespace: config.temporal.namespace,
    taskQueue: config.temporal.taskQueue,
    workflowsPath: require.resolve('../workflows'),
    activities: createActivities({ db: dbHandle.db, mailer, mailDomain }),
  });
  return {
    worker,
    async closeDeps() {
      mailer.close();
      await connection.close();
      await dbHandle.close();
    },
  };
}
