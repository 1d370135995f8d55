/** Shared pieces: state badges, the progress bar, JSON viewers, copy and confirm buttons. */
import type { ComponentChildren } from "preact";
import { useState } from "preact/hooks";

const STATE_ICON: Record<string, string> = {
  scheduled: "◌",
  queued: "…",
  running: "▶",
  retrying: "↻",
  completed: "✓",
  failed: "✕",
  cancelled: "⊘",
};

/** A job state: icon + word + colour (never colour alone). */
export function StateBadge({ state }: { state: string }) {
  return (
    <span class={`badge state-${state}`} data-state={state}>
      <span aria-hidden="true">{STATE_ICON[state] ?? "•"}</span> {state}
    </span>
  );
}

/** A progress bar with its message; `aria-valuenow` follows the value live. */
export function ProgressBar({
  value,
  message,
  label,
}: {
  value: number;
  message?: string | null;
  label: string;
}) {
  const percent = Math.max(0, Math.min(100, value));
  return (
    <div class="progress-wrap">
      <div
        class="progress"
        role="progressbar"
        aria-label={label}
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={Math.round(percent)}
        aria-valuetext={`${Math.round(percent)} %${message ? `: ${message}` : ""}`}
      >
        <div class="progress-fill" style={{ width: `${percent}%` }} />
      </div>
      <span class="progress-text">
        {Math.round(percent)} %{message ? ` · ${message}` : ""}
      </span>
    </div>
  );
}

/** Copies text to the clipboard; says so for a moment. */
export function CopyButton({ text, label }: { text: string; label: string }) {
  const [done, setDone] = useState(false);
  return (
    <button
      type="button"
      class="secondary"
      onClick={() => {
        void navigator.clipboard?.writeText(text).then(
          () => setDone(true),
          () => setDone(false),
        );
        setTimeout(() => setDone(false), 1500);
      }}
    >
      {done ? "Copied" : label}
    </button>
  );
}

/** Collapsible, copyable JSON. */
export function JsonView({ title, value }: { title: string; value: unknown }) {
  const text = JSON.stringify(value, null, 2) ?? "null";
  return (
    <details class="json" open={text.length < 600}>
      <summary>
        {title} <span class="muted">({text.length.toLocaleString("en-US")} chars)</span>
      </summary>
      <div class="json-actions">
        <CopyButton text={text} label={`Copy ${title.toLowerCase()}`} />
      </div>
      <pre>{text}</pre>
    </details>
  );
}

/** A button that asks before it acts (destructive actions). */
export function ConfirmButton({
  label,
  question,
  onConfirm,
  danger = false,
  disabled = false,
}: {
  label: string;
  question: string;
  onConfirm: () => void | Promise<void>;
  danger?: boolean;
  disabled?: boolean;
}) {
  const [asking, setAsking] = useState(false);
  if (!asking)
    return (
      <button
        type="button"
        class={danger ? "danger" : ""}
        disabled={disabled}
        onClick={() => setAsking(true)}
      >
        {label}
      </button>
    );
  return (
    <span class="confirm" role="group" aria-label={question}>
      <span>{question}</span>
      <button
        type="button"
        class={danger ? "danger" : ""}
        onClick={() => {
          setAsking(false);
          void onConfirm();
        }}
      >
        Yes, {label.charAt(0).toLowerCase() + label.slice(1)}
      </button>
      <button type="button" class="secondary" onClick={() => setAsking(false)}>
        Keep
      </button>
    </span>
  );
}

/** A titled section. */
export function Section({
  title,
  children,
  actions,
}: {
  title: string;
  children: ComponentChildren;
  actions?: ComponentChildren;
}) {
  return (
    <section class="card">
      <div class="card-head">
        <h2>{title}</h2>
        {actions}
      </div>
      {children}
    </section>
  );
}

/** An error line, announced to screen readers. */
export function ErrorLine({ error }: { error: string | null }) {
  if (error === null) return null;
  return (
    <p class="error" role="alert">
      {error}
    </p>
  );
}
