/**
 * A producer in its own process: submits `crash.job` jobs, 8 in flight, forever, and prints
 * `ack <id>` after each `enqueue` resolves (the acknowledgement). The parent kills it with
 * SIGKILL and checks that every acknowledged job exists.
 */
import { Spool } from "../../src/index.js";

const spool = await Spool.open({ url: process.env.SPOOL_TEST_URL!, maintenance: false });
process.stdout.write("ready\n");
let n = 0;
const submitLoop = async (): Promise<never> => {
  for (;;) {
    const job = await spool.enqueue("crash.job", { n: n++ });
    process.stdout.write(`ack ${job.id}\n`);
  }
};
await Promise.all(Array.from({ length: 8 }, submitLoop));
