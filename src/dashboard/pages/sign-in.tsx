/** Sign-in with an API key (kept in this tab's session storage only). */
import { useState } from "preact/hooks";

export function SignIn({
  message,
  onKey,
}: {
  message: string | null;
  onKey: (key: string) => Promise<void>;
}) {
  const [key, setKey] = useState("");
  const [busy, setBusy] = useState(false);
  return (
    <main class="signin">
      <h1>Spool</h1>
      <p>Sign in with an API key. An admin key sees everything; a producer key sees its tenant.</p>
      <form
        onSubmit={(event) => {
          event.preventDefault();
          if (key.trim() === "") return;
          setBusy(true);
          void onKey(key.trim()).finally(() => setBusy(false));
        }}
      >
        <label for="api-key">API key</label>
        <input
          id="api-key"
          name="api-key"
          type="password"
          autocomplete="off"
          spellcheck={false}
          placeholder="spool_…"
          value={key}
          onInput={(event) => setKey((event.target as HTMLInputElement).value)}
        />
        <button type="submit" disabled={busy}>
          Sign in
        </button>
      </form>
      {message === null ? null : (
        <p class="error" role="alert">
          {message}
        </p>
      )}
      <p class="muted small">
        The key stays in this browser tab (session storage) and is sent only to this server. No key
        yet? <code>spool serve</code> prints an admin key on first start; create others with{" "}
        <code>spool keys create --role producer --tenant NAME</code>.
      </p>
    </main>
  );
}
