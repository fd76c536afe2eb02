/** Long-running commands (emulator, gateway) serve until SIGINT or SIGTERM. */
const STOP_SIGNALS: NodeJS.Signals[] = ['SIGINT', 'SIGTERM'];

/** Resolves with the first stop signal received; the handlers are removed again. */
export function waitForStopSignal(): Promise<NodeJS.Signals> {
  return new Promise<NodeJS.Signals>((resolve) => {
    const handlers = STOP_SIGNALS.map((s) => [s, () => stop(s)] as const);
    const stop = (received: NodeJS.Signals) => {
      for (const [s, handler] of handlers) process.off(s, handler);
      resolve(received);
    };
    for (const [s, handler] of handlers) process.on(s, handler);
  });
}
