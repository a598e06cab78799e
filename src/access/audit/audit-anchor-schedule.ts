import type { AnchoredAuditBatch } from './audit-anchoring.js';

export interface AuditAnchorScheduleOptions {
  readonly intervalMs: number;
  /** Anchors one batch of at most `batchSize` events; null when nothing was left. */
  readonly anchorBatch: () => Promise<AnchoredAuditBatch | null>;
  readonly batchSize: number;
  readonly onBatch?: (batch: AnchoredAuditBatch) => void;
  /** A failed run is retried at the next tick: the events stay unanchored until then. */
  readonly onError: (error: unknown) => void;
}

/** Periodic anchoring; `stop()` waits for a run in progress, then anchors what is left once more. */
export interface AuditAnchorSchedule {
  stop(): Promise<void>;
}

/** Anchors the audit log every `intervalMs`, one run at a time, without keeping the process alive. */
export function scheduleAuditAnchoring(options: Readonly<AuditAnchorScheduleOptions>): AuditAnchorSchedule {
  let running: Promise<void> | null = null;
  const drain = async (): Promise<void> => {
    for (;;) {
      const batch = await options.anchorBatch();
      if (batch === null) return;
      options.onBatch?.(batch);
      if (batch.count < options.batchSize) return;
    }
  };
  const run = (): Promise<void> =>
    (running ??= drain()
      .catch(options.onError)
      .finally(() => {
        running = null;
      }));
  const timer = setInterval(() => void run(), options.intervalMs);
  timer.unref();
  let stopped: Promise<void> | undefined;
  return {
    stop: () =>
      (stopped ??= (async () => {
        clearInterval(timer);
        await running;
        await run();
      })()),
  };
}
