import { signIn } from "./operators.ts";
import {
  type RunningProcess,
  scratchDatabase,
  startStream,
  startWeb,
  startWorker,
} from "./stack.ts";

/**
 * A stack of its own on a scratch database (`bocloud_test_<run>_<name>`, its own Redis channels):
 * the web app, the worker and, when asked, the stream sidecar, with the first admin and a viewer
 * signed in. For tests that restart or kill processes, or need settings the shared stack lacks.
 */
export async function startScratchStack(
  name: string,
  settings: Record<string, string> = {},
  opts: { stream?: boolean } = {},
) {
  const db = await scratchDatabase(name);
  const env = { DATABASE_URL: db.url, REDIS_CHANNEL_PREFIX: db.channelPrefix, ...settings };
  const stream = opts.stream ? await startStream(env) : undefined;
  const processes: RunningProcess[] = stream ? [stream] : [];
  const stack = {
    db,
    env,
    stream,
    worker: await startWorker(env),
    web: await startWeb({ ...env, ...(stream ? { STREAM_URL: stream.url } : {}) }),
    admin: "",
    viewer: "",
    /** Starts another worker (after one was killed) with the same settings. */
    async restartWorker() {
      stack.worker = await startWorker(env);
      return stack.worker;
    },
    async stop() {
      await Promise.all([...processes, stack.worker, stack.web].map((p) => p.stop()));
      await db.drop();
    },
  };
  Object.assign(stack, await signIn(stack.web.url));
  return stack;
}
