/**
 * The Spool dashboard: sign-in, then a shell with navigation and one live event stream, and the
 * pages. Everything it shows comes from the public HTTP API (SPEC §9).
 */
import { render } from "preact";
import { useEffect, useMemo, useState } from "preact/hooks";
import {
  LiveEvents,
  clientFor,
  refusal,
  signIn,
  storeKey,
  storedKey,
  type Session,
} from "./api.js";
import { AppContext, describeError, type AppState } from "./app-context.js";
import { href, useRoute } from "./router.js";
import { SignIn } from "./pages/sign-in.js";
import { Overview } from "./pages/overview.js";
import { Jobs } from "./pages/jobs.js";
import { JobDetail } from "./pages/job.js";
import { Workers } from "./pages/workers.js";
import { Queues } from "./pages/queues.js";
import { Tenants } from "./pages/tenants.js";
import "./styles.css";
import "./pages.css";

type Auth =
  | { phase: "checking" }
  | { phase: "signed-out"; message: string | null }
  | { phase: "signed-in"; key: string | null; session: Session };

function App() {
  const [auth, setAuth] = useState<Auth>({ phase: "checking" });

  const tryKey = async (key: string | null, remember: boolean): Promise<void> => {
    try {
      const session = await signIn(key);
      const refused = refusal(session);
      if (refused !== null) {
        storeKey(null);
        setAuth({ phase: "signed-out", message: refused });
        return;
      }
      if (remember && key !== null) storeKey(key);
      setAuth({ phase: "signed-in", key, session });
    } catch (error) {
      if (key !== null) storeKey(null);
      const message =
        key === null
          ? null
          : describeError(error).replace(
              /^Your key was refused \(401\)\. Sign in again\./,
              "That key was refused (401): check it and try again.",
            );
      setAuth({ phase: "signed-out", message });
    }
  };

  useEffect(() => {
    // A stored key first; else a server without auth needs none.
    void tryKey(storedKey(), false);
  }, []);

  if (auth.phase === "checking") return <p class="loading">Connecting…</p>;
  if (auth.phase === "signed-out")
    return <SignIn message={auth.message} onKey={(key) => tryKey(key, true)} />;
  return (
    <Shell
      keyValue={auth.key}
      session={auth.session}
      onSignOut={() => {
        storeKey(null);
        setAuth({ phase: "signed-out", message: null });
      }}
    />
  );
}

const NAV: { path: string; label: string; admin?: boolean }[] = [
  { path: "/", label: "Overview" },
  { path: "/jobs", label: "Jobs" },
  { path: "/workers", label: "Workers", admin: true },
  { path: "/queues", label: "Queues" },
  { path: "/tenants", label: "Tenants", admin: true },
];

function Shell({
  keyValue,
  session,
  onSignOut,
}: {
  keyValue: string | null;
  session: Session;
  onSignOut: () => void;
}) {
  const route = useRoute();
  const state = useMemo<AppState>(() => {
    const client = clientFor(keyValue);
    return { client, session, live: new LiveEvents(client), signOut: onSignOut };
  }, [keyValue, session]);
  const [connected, setConnected] = useState(false);
  useEffect(() => {
    // Listen before starting: the stream reports "connected" synchronously on start.
    const off = state.live.onStatus(setConnected);
    state.live.start();
    return () => {
      off();
      state.live.stop();
    };
  }, [state]);

  const admin = session.role === "admin";
  const section = route.path.startsWith("/jobs") ? "/jobs" : route.path;
  let page;
  if (route.path === "/") page = <Overview />;
  else if (route.path === "/jobs") page = <Jobs query={route.query} />;
  else if (route.path.startsWith("/jobs/"))
    page = <JobDetail id={decodeURIComponent(route.path.slice(6))} />;
  else if (route.path === "/workers") page = <Workers />;
  else if (route.path === "/queues") page = <Queues />;
  else if (route.path === "/tenants") page = <Tenants />;
  else
    page = (
      <p>
        No such page. <a href="#/">Go to the overview</a>.
      </p>
    );

  return (
    <AppContext.Provider value={state}>
      <header class="top">
        <a class="brand" href="#/">
          Spool
        </a>
        <nav aria-label="Main">
          <ul>
            {NAV.filter((item) => admin || !item.admin).map((item) => (
              <li key={item.path}>
                <a href={href(item.path)} aria-current={section === item.path ? "page" : undefined}>
                  {item.label}
                </a>
              </li>
            ))}
          </ul>
        </nav>
        <div class="who">
          <span class={`live ${connected ? "on" : "off"}`} role="status">
            <span aria-hidden="true">{connected ? "●" : "○"}</span> {connected ? "live" : "offline"}
          </span>
          <span class="muted" data-testid="who">
            {session.role} · tenant {session.tenant}
            {session.auth ? "" : " · no auth"}
          </span>
          {session.auth ? (
            <button type="button" class="secondary" onClick={onSignOut}>
              Sign out
            </button>
          ) : null}
        </div>
      </header>
      <main id="main">{page}</main>
    </AppContext.Provider>
  );
}

render(<App />, document.getElementById("app")!);
