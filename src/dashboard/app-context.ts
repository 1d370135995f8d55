/** What every page gets: the client, the caller's session, the live event stream. */
import { createContext } from "preact";
import { useContext, useEffect, useRef, useState } from "preact/hooks";
import type { SpoolClient } from "../client/client.js";
import type { LiveEvent, LiveEvents, Session } from "./api.js";
import { SpoolHttpError } from "./api.js";

export interface AppState {
  client: SpoolClient;
  session: Session;
  live: LiveEvents;
  signOut: () => void;
}

export const AppContext = createContext<AppState | null>(null);

/** The app state (inside the signed-in shell). */
export function useApp(): AppState {
  const state = useContext(AppContext);
  if (state === null) throw new Error("useApp outside the signed-in app");
  return state;
}

/** Calls `listener` for every live event while mounted. */
export function useLive(listener: (event: LiveEvent) => void): void {
  const { live } = useApp();
  const latest = useRef(listener);
  latest.current = listener;
  useEffect(() => live.on((event) => latest.current(event)), [live]);
}

/** A message for an error thrown by the client. */
export function describeError(error: unknown): string {
  if (error instanceof SpoolHttpError) {
    if (error.status === 401) return "Your key was refused (401). Sign in again.";
    if (error.status === 403) return `Not allowed for this key (403): ${error.message}`;
    return `${error.status}: ${error.message}`;
  }
  return error instanceof Error ? error.message : String(error);
}

/**
 * Loads data with `load`, again whenever `deps` change, every `intervalMs` when given, and when
 * `refresh()` is called (throttled to one load in flight, so a burst of live events costs one
 * request).
 */
export function useLoader<T>(
  load: () => Promise<T>,
  deps: unknown[],
  intervalMs?: number,
): { data: T | null; error: string | null; refresh: () => void; loading: boolean } {
  const [data, setData] = useState<T | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [loading, setLoading] = useState(true);
  const state = useRef({ inFlight: false, again: false, alive: true, load });
  state.current.load = load;

  const run = (): void => {
    const current = state.current;
    if (current.inFlight) {
      current.again = true;
      return;
    }
    current.inFlight = true;
    current
      .load()
      .then(
        (value) => {
          if (!current.alive) return;
          setData(value);
          setError(null);
        },
        (failure: unknown) => {
          if (current.alive) setError(describeError(failure));
        },
      )
      .finally(() => {
        current.inFlight = false;
        if (current.alive) setLoading(false);
        if (current.again && current.alive) {
          current.again = false;
          setTimeout(run, 250);
        }
      });
  };

  useEffect(() => {
    state.current.alive = true;
    run();
    const timer = intervalMs === undefined ? undefined : setInterval(run, intervalMs);
    return () => {
      state.current.alive = false;
      if (timer !== undefined) clearInterval(timer);
    };
  }, deps);

  return { data, error, refresh: run, loading };
}
