/** Hash routing: `#/jobs?status=failed` → { path: "/jobs", query }. */
import { useEffect, useState } from "preact/hooks";

export interface Route {
  path: string;
  query: URLSearchParams;
}

function current(): Route {
  const hash = location.hash.replace(/^#/, "") || "/";
  const [path = "/", search = ""] = hash.split("?");
  return { path, query: new URLSearchParams(search) };
}

/** The current route, following hash changes. */
export function useRoute(): Route {
  const [route, setRoute] = useState(current);
  useEffect(() => {
    const onChange = (): void => setRoute(current());
    addEventListener("hashchange", onChange);
    return () => removeEventListener("hashchange", onChange);
  }, []);
  return route;
}

/** The href of a route. */
export function href(path: string, query?: Record<string, string | undefined>): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query ?? {}))
    if (value !== undefined && value !== "") params.set(key, value);
  const text = params.toString();
  return `#${path}${text === "" ? "" : `?${text}`}`;
}

/** Goes to a route. */
export function navigate(path: string, query?: Record<string, string | undefined>): void {
  location.hash = href(path, query).slice(1);
}
