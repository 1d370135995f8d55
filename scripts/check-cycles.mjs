#!/usr/bin/env node
// Fails when src/ has an import cycle, type-only imports included (`import type`, `export type
// … from`, `import("…")` types): lint's import-x/no-cycle skips those, and a type-only cycle
// still ties two layers together. Uses the TypeScript compiler's own import scanner; reports
// every strongly connected component of the graph with one cycle through it.
import { readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import ts from "typescript";

const root = resolve(process.argv[2] ?? "src");

function sourceFiles(dir) {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return name.endsWith(".ts") && !name.endsWith(".d.ts") ? [path] : [];
  });
}

/** The local files `file` imports, by any kind of import. */
function importsOf(file, known) {
  const { importedFiles } = ts.preProcessFile(readFileSync(file, "utf8"), true, true);
  return importedFiles
    .map(({ fileName }) => fileName)
    .filter((spec) => spec.startsWith("."))
    .map((spec) => resolve(dirname(file), spec.replace(/\.js$/, ".ts")))
    .filter((path) => known.has(path));
}

const files = sourceFiles(root);
const known = new Set(files);
const graph = new Map(files.map((file) => [file, importsOf(file, known)]));

// Tarjan's strongly connected components (iterative enough for a source tree).
let index = 0;
const indices = new Map();
const low = new Map();
const stack = [];
const onStack = new Set();
const components = [];
function connect(node) {
  indices.set(node, index);
  low.set(node, index);
  index += 1;
  stack.push(node);
  onStack.add(node);
  for (const next of graph.get(node)) {
    if (!indices.has(next)) {
      connect(next);
      low.set(node, Math.min(low.get(node), low.get(next)));
    } else if (onStack.has(next)) {
      low.set(node, Math.min(low.get(node), indices.get(next)));
    }
  }
  if (low.get(node) === indices.get(node)) {
    const component = [];
    let member;
    do {
      member = stack.pop();
      onStack.delete(member);
      component.push(member);
    } while (member !== node);
    if (component.length > 1 || graph.get(node).includes(node)) components.push(component);
  }
}
for (const file of files) if (!indices.has(file)) connect(file);

/** One cycle inside `component`, starting and ending at its first member. */
function cycleIn(component) {
  const members = new Set(component);
  const start = component[0];
  const previous = new Map([[start, null]]);
  const queue = [start];
  while (queue.length > 0) {
    const node = queue.shift();
    for (const next of graph.get(node)) {
      if (!members.has(next)) continue;
      if (next === start) {
        const path = [start];
        for (let at = node; at !== start; at = previous.get(at)) path.splice(1, 0, at);
        return [...path, start];
      }
      if (!previous.has(next)) {
        previous.set(next, node);
        queue.push(next);
      }
    }
  }
  return component;
}

const name = (file) => relative(process.cwd(), file);
if (components.length > 0) {
  for (const component of components)
    console.error(`import cycle: ${cycleIn(component).map(name).join(" → ")}`);
  console.error(
    `${components.length} import cycle(s) in ${name(root)} (type-only imports included)`,
  );
  process.exit(1);
}
console.log(
  `no import cycles in ${name(root)} (${files.length} files, type-only imports included)`,
);
