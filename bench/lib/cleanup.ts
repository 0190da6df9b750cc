// Cleanup that runs whatever happens: normal end, a thrown error, or Ctrl-C / SIGTERM.
// Tasks run in reverse order of registration (like `defer`), each one even if an earlier one fails.

export type Defer = (label: string, task: () => Promise<void> | void) => void;

export async function withCleanup<T>(body: (defer: Defer) => Promise<T>): Promise<T> {
  const tasks: { label: string; task: () => Promise<void> | void }[] = [];
  let ran: Promise<void> | null = null;
  const runAll = (): Promise<void> => {
    ran ??= (async () => {
      for (const { label, task } of tasks.reverse()) {
        try {
          await task();
        } catch (err) {
          console.error(`cleanup "${label}" failed: ${err instanceof Error ? err.message : String(err)}`);
        }
      }
    })();
    return ran;
  };
  const onSignal = (signal: NodeJS.Signals) => {
    console.error(`\n${signal}: cleaning up…`);
    void runAll().finally(() => process.exit(130));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    return await body((label, task) => void tasks.push({ label, task }));
  } finally {
    await runAll();
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}
