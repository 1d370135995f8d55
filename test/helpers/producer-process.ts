/**
 * A producer in its own process: submits `crash.job` jobs, 8 in flight, forever, and prints
 * `ack <id>` after each `enqueue` resolves (the acknowledgement). The parent kills it with
 * SIGKILL and checks that every acknowledged job exists. Configured by `SPOOL_TEST_URL` and, on
 * PostgreSQL, `SPOOL_TEST_SCHEMA`.
 */
import { Spool } from "../../src/index.js";

const schema = process.env.SPOOL_TEST_SCHEMA;
const spool = await Spool.open({
  url: process.env.SPOOL_TEST_URL!,
  ...(schema === undefined ? {} : { storeTuning: { schema, poolSize: 4 } }),
  maintenance: false,
});
process.stdout.write("ready\n");
let n = 0;
const submitLoop = async (): Promise<never> => {
  for (;;) {
    const job = await spool.enqueue("crash.job", { n: n++ });
    process.stdout.write(`ack ${job.id}\n`);
  }
};
await Promise.all(Array.from({ length: 8 }, submitLoop));
