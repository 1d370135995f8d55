/** Bulk cancel/retry: of the selected rows, or of everything matching the filter (in batches). */
import { useRef, useState } from "preact/hooks";
import type { BulkAnswer } from "../api.js";
import { describeError, useApp } from "../app-context.js";
import { ConfirmButton } from "../components.js";
import { count } from "../format.js";

export interface BulkFilter {
  status?: string;
  queue?: string;
  type?: string;
  tag?: string;
  tenant?: string;
}

interface Progress {
  action: "cancel" | "retry";
  processed: number;
  succeeded: number;
  skipped: number;
  batches: number;
  done: boolean;
  error: string | null;
}

const VERB = { cancel: ["Cancel", "cancelled"], retry: ["Retry", "retried"] } as const;

export function BulkBar({
  selected,
  filter,
  onDone,
}: {
  selected: string[];
  filter: BulkFilter;
  onDone: () => void;
}) {
  const { client } = useApp();
  const [progress, setProgress] = useState<Progress | null>(null);
  const stop = useRef(false);
  const running = progress !== null && !progress.done;

  const run = async (action: "cancel" | "retry", ids: string[] | null): Promise<void> => {
    stop.current = false;
    let state: Progress = {
      action,
      processed: 0,
      succeeded: 0,
      skipped: 0,
      batches: 0,
      done: false,
      error: null,
    };
    setProgress(state);
    let cursor: string | null = null;
    try {
      do {
        const body: Record<string, unknown> =
          ids === null
            ? { action, filter, ...(cursor === null ? {} : { cursor }) }
            : { action, ids };
        const answer: BulkAnswer = (await client.request<BulkAnswer>("POST", "/jobs/bulk", body))
          .body;
        state = {
          ...state,
          processed: state.processed + answer.processed,
          succeeded: state.succeeded + answer.succeeded,
          skipped: state.skipped + answer.skipped,
          batches: state.batches + 1,
        };
        setProgress(state);
        cursor = answer.next_cursor;
      } while (cursor !== null && !stop.current);
      setProgress({ ...state, done: true });
    } catch (error) {
      setProgress({ ...state, done: true, error: describeError(error) });
    }
    onDone();
  };

  const described = Object.entries(filter)
    .filter(([, value]) => value !== undefined && value !== "")
    .map(([key, value]) => `${key} = ${value}`)
    .join(", ");
  const scope = described === "" ? "every job" : `every job with ${described}`;

  return (
    <div class="bulk">
      {selected.length > 0 ? (
        <>
          <span>{selected.length} selected:</span>
          <button type="button" disabled={running} onClick={() => void run("cancel", selected)}>
            Cancel selected jobs
          </button>
          <button type="button" disabled={running} onClick={() => void run("retry", selected)}>
            Retry selected jobs
          </button>
        </>
      ) : null}
      <ConfirmButton
        label="Retry all matching"
        question={`Retry ${scope} that failed or was cancelled?`}
        disabled={running}
        onConfirm={() => run("retry", null)}
      />
      <ConfirmButton
        label="Cancel all matching"
        question={`Cancel ${scope} that has not finished?`}
        danger
        disabled={running}
        onConfirm={() => run("cancel", null)}
      />
      {progress === null ? null : (
        <p class="bulk-progress" role="status" data-testid="bulk-progress">
          {progress.done ? "Done: " : "Working: "}
          {count(progress.succeeded)} {VERB[progress.action][1]}, {count(progress.skipped)} skipped
          of {count(progress.processed)} looked at ({progress.batches} batch
          {progress.batches === 1 ? "" : "es"})
          {progress.error === null ? "" : ` — stopped: ${progress.error}`}
          {running ? (
            <button type="button" class="secondary" onClick={() => (stop.current = true)}>
              Stop
            </button>
          ) : null}
        </p>
      )}
    </div>
  );
}
