/**
 * Packing Spool and installing the tarball into a fresh project, as a user would, but offline.
 *
 * - `npm pack` runs the `prepare` build, so the tarball holds exactly what src/ compiles to now.
 * - `npm install --offline` cannot resolve names from this machine's npm cache (it holds no
 *   usable packuments), so the new project gets a lockfile: the tarball itself plus the
 *   checkout's lockfile entries for everything that is not a devDependency. That pins the same
 *   versions the checkout is tested with, and npm fetches each by integrity from the cache.
 * - better-sqlite3's install script first looks for a prebuilt binary; the checkout's own
 *   binary (built for this Node) is offered to it as a local prebuild
 *   (`npm_config_better_sqlite3_local_prebuilds`), so the install does not spend a minute or
 *   two compiling SQLite again. `SPOOL_PACKAGE_BUILD_FROM_SOURCE=1` compiles it instead, and so
 *   does a run on a Node the checkout's binary was not built for.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { delimiter, dirname, join, relative } from "node:path";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";

/** The checkout under test. */
export const REPO_ROOT = fileURLToPath(new URL("../../", import.meta.url));

interface LockEntry {
  version?: string;
  dev?: boolean;
  link?: boolean;
  [key: string]: unknown;
}

interface PackageJson {
  name: string;
  version: string;
  dependencies?: Record<string, string>;
  bin?: Record<string, string>;
  engines?: Record<string, string>;
  license?: string;
}

/** The environment for npm and the installed CLI: this Node first on PATH, no network. */
export function npmEnvironment(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    PATH: `${dirname(process.execPath)}${delimiter}${process.env.PATH ?? ""}`,
    npm_config_offline: "true",
    npm_config_audit: "false",
    npm_config_fund: "false",
    npm_config_update_notifier: "false",
    ...extra,
  };
  delete env.NODE_OPTIONS; // the test runner's loader (tsx) must not leak into "plain node"
  delete env.NODE_TEST_CONTEXT;
  // CI compiles native modules for a second Node this way; here it would skip the local prebuild.
  if (extra.npm_config_build_from_source === undefined) delete env.npm_config_build_from_source;
  return env;
}

/** Runs `command`; throws with its output when it fails. */
export function run(
  command: string,
  args: string[],
  cwd: string,
  env: NodeJS.ProcessEnv = npmEnvironment(),
): string {
  const result = spawnSync(command, args, { cwd, env, encoding: "utf8", maxBuffer: 64 << 20 });
  if (result.status !== 0) {
    throw new Error(
      `${command} ${args.join(" ")} exited ${result.status ?? result.signal}\n${result.stdout}\n${result.stderr}`,
    );
  }
  return result.stdout;
}

/** `npm pack` of the checkout into `destination`; returns the tarball's path and size. */
export function pack(destination: string): { tarball: string; bytes: number; files: string[] } {
  const out = run("npm", ["pack", "--json", "--pack-destination", destination], REPO_ROOT);
  // The prepare build prints to stdout too; the JSON report is the last thing npm writes.
  const report = JSON.parse(out.slice(out.lastIndexOf("\n[") + 1)) as {
    filename: string;
    size: number;
    files: { path: string }[];
  }[];
  const [first] = report;
  if (first === undefined) throw new Error(`npm pack reported nothing:\n${out}`);
  return {
    tarball: join(destination, first.filename),
    bytes: first.size,
    files: first.files.map((file) => file.path),
  };
}

/** Writes a project in `dir` that depends on `tarball`, with a lockfile (see the header). */
export function writeProject(dir: string, tarball: string): void {
  const checkout = JSON.parse(readFileSync(join(REPO_ROOT, "package.json"), "utf8")) as PackageJson;
  const lock = JSON.parse(readFileSync(join(REPO_ROOT, "package-lock.json"), "utf8")) as {
    packages: Record<string, LockEntry>;
  };
  const spec = `file:${relative(dir, tarball)}`;
  const integrity = `sha512-${createHash("sha512").update(readFileSync(tarball)).digest("base64")}`;
  const packages: Record<string, unknown> = {
    "": { name: "spool-consumer", version: "1.0.0", dependencies: { spool: spec } },
    "node_modules/spool": {
      version: checkout.version,
      resolved: spec,
      integrity,
      license: checkout.license,
      dependencies: checkout.dependencies,
      bin: checkout.bin,
      engines: checkout.engines,
    },
  };
  for (const [path, entry] of Object.entries(lock.packages)) {
    if (path.startsWith("node_modules/") && entry.dev !== true && entry.link !== true)
      packages[path] = entry;
  }
  const manifest = {
    name: "spool-consumer",
    version: "1.0.0",
    private: true,
    type: "module",
    dependencies: { spool: spec },
  };
  writeFileSync(join(dir, "package.json"), `${JSON.stringify(manifest, null, 2)}\n`);
  writeFileSync(
    join(dir, "package-lock.json"),
    `${JSON.stringify({ name: manifest.name, version: "1.0.0", lockfileVersion: 3, requires: true, packages }, null, 2)}\n`,
  );
}

/** Whether the checkout's better-sqlite3 was built for this Node (same ABI): it loads here. */
function checkoutBinaryLoads(): boolean {
  try {
    const Database = createRequire(join(REPO_ROOT, "package.json"))("better-sqlite3") as new (
      path: string,
    ) => { close(): void };
    new Database(":memory:").close();
    return true;
  } catch {
    return false; // e.g. the checkout is built for Node 20 and this test runs on Node 22
  }
}

/**
 * Packs the checkout's compiled better-sqlite3 binary the way prebuild-install names a
 * download, in `dir`; returns the environment that points prebuild-install at it.
 */
export function localPrebuild(dir: string): Record<string, string> {
  if (process.env.SPOOL_PACKAGE_BUILD_FROM_SOURCE === "1")
    return { npm_config_build_from_source: "true" };
  if (!checkoutBinaryLoads()) return { npm_config_build_from_source: "true" };
  const moduleDir = join(REPO_ROOT, "node_modules", "better-sqlite3");
  const { version } = JSON.parse(readFileSync(join(moduleDir, "package.json"), "utf8")) as {
    version: string;
  };
  const name = `better-sqlite3-v${version}-node-v${process.versions.modules}-${process.platform}-${process.arch}.tar.gz`;
  mkdirSync(dir, { recursive: true });
  execFileSync("tar", [
    "-czf",
    join(dir, name),
    "-C",
    moduleDir,
    "build/Release/better_sqlite3.node",
  ]);
  return { npm_config_better_sqlite3_local_prebuilds: dir };
}
