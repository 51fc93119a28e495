// Long-lived parts of the server, run together: when the first one's run() settles,
// every part is stopped (in reverse order) and the group waits for all of them.
import type { Logger } from "../log/logger.js";

export interface Actor {
  readonly name: string;
  run(): Promise<void>;
  stop(): Promise<void> | void;
}

/** Resolves when all actors finished; rejects with the first error that ended the group. */
export async function runGroup(actors: readonly Actor[], logger: Logger): Promise<void> {
  let firstError: unknown;
  let stopping: Promise<void> | undefined;
  const stopAll = (): Promise<void> =>
    (stopping ??= (async () => {
      for (const a of [...actors].reverse()) {
        try {
          await a.stop();
        } catch (err) {
          logger.error("stop failed", { component: a.name, err });
        }
      }
    })());
  const runs = actors.map((a) =>
    a.run().then(
      () => {
        logger.debug("component stopped", { component: a.name });
        return stopAll();
      },
      (err: unknown) => {
        firstError ??= new Error(`${a.name}`, { cause: err });
        return stopAll();
      },
    ),
  );
  await Promise.all(runs);
  if (firstError !== undefined) throw firstError;
}

/** An actor whose run() waits until stop() is called (for parts that work in the background). */
export function waitingActor(name: string, stop: () => Promise<void> | void): Actor {
  let release!: () => void;
  const stopped = new Promise<void>((r) => (release = r));
  return {
    name,
    run: () => stopped,
    stop: async () => {
      try {
        await stop();
      } finally {
        release();
      }
    },
  };
}
