/**
 * One timer for many deadlines: keeps `key -> due time` and arms a single
 * timer for the earliest. When it fires, every due key is handed to
 * `onDue` in one batch; keys are removed before the call, so the callback
 * re-schedules what it rotates. No per-certificate timers or polling loops.
 */
import type { Clock } from './types.js';

export interface RotationScheduler {
  /** Sets (or moves) the due time of `key` (epoch ms). */
  schedule(key: string, dueAt: number): void;
  cancel(key: string): void;
  /** The earliest due time, or undefined when nothing is scheduled. */
  earliest(): number | undefined;
  /** Cancels the timer and forgets every key; later schedule() calls are ignored. */
  close(): void;
}

export interface RotationSchedulerOptions {
  readonly clock: Clock;
  readonly onDue: (keys: string[]) => void;
}

export function createRotationScheduler(options: RotationSchedulerOptions): RotationScheduler {
  const { clock, onDue } = options;
  const due = new Map<string, number>();
  let cancelTimer: (() => void) | undefined;
  let armedFor: number | undefined;
  let closed = false;

  const earliest = (): number | undefined => {
    let min: number | undefined;
    for (const t of due.values()) if (min === undefined || t < min) min = t;
    return min;
  };

  const arm = () => {
    const next = earliest();
    if (next === armedFor) return;
    cancelTimer?.();
    cancelTimer = undefined;
    armedFor = next;
    if (next === undefined || closed) return;
    cancelTimer = clock.setTimer(fire, Math.max(0, next - clock.now()));
  };

  const fire = () => {
    cancelTimer = undefined;
    armedFor = undefined;
    const now = clock.now();
    const keys: string[] = [];
    for (const [key, t] of due) if (t <= now) keys.push(key);
    for (const key of keys) due.delete(key);
    // A timer capped below its target (very long delays) fires early with
    // nothing due: it just re-arms.
    arm();
    if (keys.length > 0) onDue(keys);
  };

  return {
    schedule(key, dueAt) {
      if (closed) return;
      due.set(key, dueAt);
      arm();
    },
    cancel(key) {
      if (due.delete(key)) arm();
    },
    earliest,
    close() {
      closed = true;
      due.clear();
      cancelTimer?.();
      cancelTimer = undefined;
      armedFor = undefined;
    },
  };
}
