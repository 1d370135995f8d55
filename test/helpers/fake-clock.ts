/** A clock that moves only when told to. */
import type { Clock } from "../../src/core/clock.js";

export class FakeClock implements Clock {
  constructor(private ms: number = Date.UTC(2030, 0, 1)) {}

  now(): number {
    return this.ms;
  }

  /** Moves the clock forward by `ms`. */
  advance(ms: number): number {
    this.ms += ms;
    return this.ms;
  }

  /** Sets the clock to `ms`. */
  set(ms: number): void {
    this.ms = ms;
  }
}
