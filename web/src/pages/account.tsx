// The signed-in account: who I am, and changing my password (which ends my other sign-in sessions).

import type { JSX } from "preact";
import { useState } from "preact/hooks";

import { get, post, signOut, updateUser } from "../api";
import { navigate } from "../router";
import type { UserOut } from "../types";
import { ErrorBox, Loading, Notice, Page, formatDate, useAsync } from "../ui";

export function AccountPage(): JSX.Element {
  const me = useAsync(async () => {
    const user = await get<UserOut>("/api/auth/me");
    updateUser(user);
    return user;
  }, []);
  const [current, setCurrent] = useState("");
  const [next, setNext] = useState("");
  const [again, setAgain] = useState("");
  const [error, setError] = useState<unknown>(null);
  const [done, setDone] = useState(false);
  const [busy, setBusy] = useState(false);

  const change = async (event: Event): Promise<void> => {
    event.preventDefault();
    setDone(false);
    if (next !== again) {
      setError(new Error("The two new passwords differ."));
      return;
    }
    setBusy(true);
    setError(null);
    try {
      await post("/api/auth/password", { current_password: current, new_password: next });
      setDone(true);
      setCurrent("");
      setNext("");
      setAgain("");
    } catch (failure) {
      setError(failure);
    } finally {
      setBusy(false);
    }
  };

  return (
    <Page title="Your account">
      {me.loading ? <Loading /> : null}
      <ErrorBox error={me.error} />
      {me.data ? (
        <dl class="facts">
          <div><dt>Name</dt><dd>{me.data.name || "—"}</dd></div>
          <div><dt>Email</dt><dd>{me.data.email}</dd></div>
          <div><dt>Role</dt><dd>{me.data.role}</dd></div>
          <div><dt>Since</dt><dd>{formatDate(me.data.created_at)}</dd></div>
        </dl>
      ) : null}
      <form class="card narrow-form" onSubmit={(e) => void change(e)} aria-labelledby="password-title">
        <h2 id="password-title">Change your password</h2>
        {me.data?.has_password === false ? null : (
          <div class="field">
            <label for="current-password">Current password</label>
            <input id="current-password" type="password" autoComplete="current-password" required value={current}
              onInput={(e) => setCurrent((e.currentTarget as HTMLInputElement).value)} />
          </div>
        )}
        <div class="field">
          <label for="next-password">New password</label>
          <input id="next-password" type="password" autoComplete="new-password" required minLength={10} value={next}
            aria-describedby="next-password-help" onInput={(e) => setNext((e.currentTarget as HTMLInputElement).value)} />
          <p id="next-password-help" class="hint-text">At least 10 characters. Your other sign-ins end when it changes.</p>
        </div>
        <div class="field">
          <label for="again-password">New password again</label>
          <input id="again-password" type="password" autoComplete="new-password" required value={again}
            onInput={(e) => setAgain((e.currentTarget as HTMLInputElement).value)} />
        </div>
        <ErrorBox error={error} />
        {done ? <Notice kind="success">Your password is changed.</Notice> : null}
        <button type="submit" class="btn btn-primary" disabled={busy}>{busy ? "Saving…" : "Change password"}</button>
      </form>
      <p>
        <button type="button" class="btn" onClick={() => void signOut().then(() => navigate("/", { replace: true }))}>
          Sign out
        </button>
      </p>
    </Page>
  );
}
