/**
 * Where the CLI writes and how: the process streams (injectable for tests), ANSI colours only
 * on a terminal and never with `NO_COLOR` (https://no-color.org; `FORCE_COLOR` forces them),
 * aligned tables, and JSON for `--json`. Results go to stdout; progress, notes and errors to
 * stderr, so `spool … --json | jq` always sees clean JSON.
 */

/** A writable text stream, as far as the CLI needs one. */
export interface TextStream {
  write(text: string): unknown;
  isTTY?: boolean;
  columns?: number;
}

/** The process the CLI runs in. */
export interface CliIO {
  stdout: TextStream;
  stderr: TextStream;
  env: NodeJS.ProcessEnv;
}

/** Colour functions; identity functions when colour is off. */
export interface Style {
  bold(text: string): string;
  dim(text: string): string;
  red(text: string): string;
  green(text: string): string;
  yellow(text: string): string;
  cyan(text: string): string;
}

/** Whether to colour output written to `stream`. */
export function colorEnabled(stream: TextStream, env: NodeJS.ProcessEnv): boolean {
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== "") return false;
  if (env.FORCE_COLOR !== undefined && env.FORCE_COLOR !== "0") return true;
  return stream.isTTY === true && env.TERM !== "dumb";
}

/** A style that colours when `enabled`. */
export function createStyle(enabled: boolean): Style {
  const wrap =
    (open: number, close: number) =>
    (text: string): string =>
      enabled ? `\u001b[${open}m${text}\u001b[${close}m` : text;
  return {
    bold: wrap(1, 22),
    dim: wrap(2, 22),
    red: wrap(31, 39),
    green: wrap(32, 39),
    yellow: wrap(33, 39),
    cyan: wrap(36, 39),
  };
}

/** A table cell: its text, and an optional colour applied after padding (so columns align). */
export type Cell = string | { text: string; color?: (text: string) => string };

/** Renders rows under upper-case headers, columns padded to their widest cell. */
export function renderTable(
  headers: readonly string[],
  rows: readonly Cell[][],
  style: Style,
): string {
  const text = (cell: Cell): string => (typeof cell === "string" ? cell : cell.text);
  const widths = headers.map((header, i) =>
    Math.max(
      header.length,
      ...rows.map((row) => (row[i] === undefined ? 0 : text(row[i]!).length)),
    ),
  );
  const line = (cells: readonly Cell[], header = false): string =>
    cells
      .map((cell, i) => {
        const last = i === cells.length - 1;
        const padded = last ? text(cell) : text(cell).padEnd(widths[i]!);
        if (header) return style.bold(padded);
        return typeof cell === "string" || cell.color === undefined ? padded : cell.color(padded);
      })
      .join("  ")
      .trimEnd();
  return [line(headers, true), ...rows.map((row) => line(row))].join("\n") + "\n";
}

/** Renders `key  value` lines with the keys aligned. */
export function renderFields(fields: readonly [string, string][], style: Style): string {
  const width = Math.max(0, ...fields.map(([key]) => key.length));
  return (
    fields.map(([key, value]) => `${style.dim(key.padEnd(width))}  ${value}`).join("\n") + "\n"
  );
}

/** Writes `value` as JSON (indented: readable, and still one `JSON.parse` away). */
export function writeJson(io: CliIO, value: unknown): void {
  io.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}
