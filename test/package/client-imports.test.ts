/**
 * `spool/client` must run in a browser or an edge runtime (issue 9): its run-time import graph
 * may not reach better-sqlite3, pg, Fastify — or any package or `node:` module at all. The graph
 * is read from the sources with the TypeScript parser; `import type` and type-only specifiers
 * are erased at compile time and do not count. (The packaging test checks the same on the
 * compiled, installed package by watching what Node actually loads.)
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import ts from "typescript";

const SRC = fileURLToPath(new URL("../../src/", import.meta.url));

/** The specifiers `file` imports at run time. */
function runtimeImports(file: string): string[] {
  const source = ts.createSourceFile(file, readFileSync(file, "utf8"), ts.ScriptTarget.Latest);
  const found: string[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isImportDeclaration(node) && ts.isStringLiteral(node.moduleSpecifier)) {
      const clause = node.importClause;
      const bindings = clause?.namedBindings;
      const typeOnly =
        clause !== undefined &&
        (clause.isTypeOnly ||
          (clause.name === undefined &&
            bindings !== undefined &&
            ts.isNamedImports(bindings) &&
            bindings.elements.length > 0 &&
            bindings.elements.every((element) => element.isTypeOnly)));
      if (!typeOnly) found.push(node.moduleSpecifier.text);
    } else if (
      ts.isExportDeclaration(node) &&
      node.moduleSpecifier !== undefined &&
      ts.isStringLiteral(node.moduleSpecifier) &&
      !node.isTypeOnly
    ) {
      found.push(node.moduleSpecifier.text);
    } else if (
      ts.isCallExpression(node) &&
      node.expression.kind === ts.SyntaxKind.ImportKeyword &&
      node.arguments[0] !== undefined &&
      ts.isStringLiteral(node.arguments[0])
    ) {
      found.push(node.arguments[0].text);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

/** Every source file reached from `entry` at run time, and the non-relative specifiers met. */
function importGraph(entry: string): { files: string[]; external: string[] } {
  const files = new Set<string>();
  const external = new Set<string>();
  const pending = [entry];
  for (let file = pending.pop(); file !== undefined; file = pending.pop()) {
    if (files.has(file)) continue;
    files.add(file);
    for (const specifier of runtimeImports(file)) {
      if (specifier.startsWith(".")) {
        pending.push(join(dirname(file), specifier.replace(/\.js$/, ".ts")));
      } else {
        external.add(`${specifier} (from ${relative(SRC, file)})`);
      }
    }
  }
  return { files: [...files].map((file) => relative(SRC, file)).sort(), external: [...external] };
}

describe("the client entry's import graph", () => {
  it("spool/client loads no package and no node: module at run time", () => {
    const graph = importGraph(join(SRC, "client", "client.ts"));
    assert.deepEqual(graph.external, []);
    assert.ok(graph.files.includes(join("client", "client.ts")));
  });

  it("the walker sees run-time imports (it is not blind)", () => {
    const graph = importGraph(join(SRC, "http", "server.ts"));
    assert.ok(
      graph.external.some((name) => name.startsWith("fastify ")),
      graph.external.join(),
    );
  });
});
