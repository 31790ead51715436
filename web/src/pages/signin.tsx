// Signed-out pages: the landing page with the sign-in form, claiming an invitation link, resetting a password.

import type { JSX } from "preact";
import { useEffect, useRef, useState } from "preact/hooks";

import { ApiError, claimInvitation, resetPassword, signIn } from "../api";
import { Link, navigate } from "../router";
import { ErrorBox, Notice } from "../ui";

function Logo(): JSX.Element {
  return (
    <svg class="logo" viewBox="0 0 64 64" aria-hidden="true" focusable="false">
      <rect x="2" y="2" width="60" height="60" rx="14" fill="#1f6feb" />
      <path d="M24 20 L12 32 L24 44" fill="none" stroke="#fff" stroke-width="5" stroke-linecap="round" stroke-linejoin="round" />
      <path d="M40 20 L52 32 L40 44" fill="none" stroke="#fff" stroke-width="5" stroke-linecap="round" stroke-linejoin="round" />
      <path d="M35 16 L29 48" stroke="#ffd33d" stroke-width="5" stroke-linecap="round" />
    </svg>
  );
}

function useTitle(title: string): void {
  useEffect(() => {
    document.title = `${title} · Code Sensei`;
  }, [title]);
}

function safeNext(next: string | null): string {
  // Only paths inside this app: never an absolute URL someone put in a link.
  return next && next.startsWith("/") && !next.startsWith("//") ? next : "/assessments";
}

export function SignInForm({ next }: { next: string | null }): JSX.Element {
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const emailInput = useRef<HTMLInputElement>(null);

  const submit = async (event: Event): Promise<void> => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await signIn(email.trim(), password);
      navigate(safeNext(next), { replace: true });
    } catch (failure) {
      setError(
        failure instanceof ApiError && failure.status === 401
          ? new Error("The email or password is not right. Check both and try again.")
          : failure,
      );
      setBusy(false);
    }
  };

  return (
    <form class="signin-form card" onSubmit={(e) => void submit(e)} aria-labelledby="signin-title">
      <h2 id="signin-title">Sign in</h2>
      <div class="field">
        <label for="email">Email</label>
        <input id="email" ref={emailInput} type="email" autoComplete="username" required value={email}
          onInput={(e) => setEmail((e.currentTarget as HTMLInputElement).value)} />
      </div>
      <div class="field">
        <label for="password">Password</label>
        <input id="password" type="password" autoComplete="current-password" required value={password}
          onInput={(e) => setPassword((e.currentTarget as HTMLInputElement).value)} />
      </div>
      <ErrorBox error={error} />
      <button type="submit" class="btn btn-primary btn-block" disabled={busy}>
        {busy ? "Signing in…" : "Sign in"}
      </button>
      <p class="muted small">
        Invited to an assessment? Open the link from your invitation to set up your account.
      </p>
    </form>
  );
}

export function LandingPage({ next }: { next: string | null }): JSX.Element {
  useTitle("Sign in");
  return (
    <main id="main" class="landing" tabIndex={-1}>
      <div class="landing-hero">
        <div class="brand brand-large">
          <Logo />
          <span>Code Sensei</span>
        </div>
        <h1>Programming assessments that show how people really code.</h1>
        <ul class="benefits">
          <li><strong>Real-time assessments</strong> — write and run code in six languages in a sandbox, with instant results on the sample tests.</li>
          <li><strong>Performance metrics</strong> — time, execution time and memory by topic and difficulty.</li>
          <li><strong>Personalised learning</strong> — adaptive questions, hints and an assistant that explains without giving answers away.</li>
        </ul>
      </div>
      <SignInForm next={next} />
    </main>
  );
}

/** `/claim#token=…` (the API's invitation links) and `/invite?token=…` both land here. */
export function ClaimPage({ token }: { token: string | null }): JSX.Element {
  useTitle("Accept your invitation");
  const [name, setName] = useState("");
  const [password, setPassword] = useState("");
  const [error, setError] = useState<unknown>(null);
  const [needsExisting, setNeedsExisting] = useState(false);
  const [busy, setBusy] = useState(false);

  const submit = async (event: Event): Promise<void> => {
    event.preventDefault();
    if (!token) return;
    setBusy(true);
    setError(null);
    try {
      const claimed = await claimInvitation(token, password || null, name.trim());
      navigate(`/assessments/${encodeURIComponent(claimed.assessment_id)}`, { replace: true });
    } catch (failure) {
      if (failure instanceof ApiError && failure.status === 401) setNeedsExisting(true);
      setError(failure);
      setBusy(false);
    }
  };

  return (
    <main id="main" class="landing" tabIndex={-1}>
      <div class="landing-hero">
        <div class="brand brand-large">
          <Logo />
          <span>Code Sensei</span>
        </div>
        <h1>You are invited to an assessment.</h1>
        <p class="lead">Set a password for your account: you will sign in with your email and this password from now on.</p>
      </div>
      {token ? (
        <form class="signin-form card" onSubmit={(e) => void submit(e)} aria-labelledby="claim-title">
          <h2 id="claim-title">Accept the invitation</h2>
          <div class="field">
            <label for="claim-name">Your name</label>
            <input id="claim-name" type="text" autoComplete="name" value={name} maxLength={200}
              onInput={(e) => setName((e.currentTarget as HTMLInputElement).value)} />
          </div>
          <div class="field">
            <label for="claim-password">{needsExisting ? "Your existing password" : "Choose a password"}</label>
            <input id="claim-password" type="password" autoComplete={needsExisting ? "current-password" : "new-password"}
              required minLength={needsExisting ? 1 : 10} value={password} aria-describedby="claim-password-help"
              onInput={(e) => setPassword((e.currentTarget as HTMLInputElement).value)} />
            <p id="claim-password-help" class="hint-text">
              {needsExisting
                ? "This address already has an account: enter its password."
                : "At least 10 characters; a few unrelated words make a strong one."}
            </p>
          </div>
          <ErrorBox error={error} />
          <button type="submit" class="btn btn-primary btn-block" disabled={busy}>
            {busy ? "Setting up…" : "Accept and continue"}
          </button>
        </form>
      ) : (
        <div class="card signin-form">
          <h2>This link is incomplete</h2>
          <p>The invitation link has no token. Open the full link from your invitation, or <Link href="/">sign in</Link>.</p>
        </div>
      )}
    </main>
  );
}

export function ResetPasswordPage({ token }: { token: string | null }): JSX.Element {
  useTitle("Set a new password");
  const [password, setPassword] = useState("");
  const [again, setAgain] = useState("");
  const [error, setError] = useState<unknown>(null);
  const [done, setDone] = useState(false);
  const [busy, setBusy] = useState(false);

  const submit = async (event: Event): Promise<void> => {
    event.preventDefault();
    if (!token) return;
    if (password !== again) {
      setError(new Error("The two passwords differ."));
      return;
    }
    setBusy(true);
    setError(null);
    try {
      await resetPassword(token, password);
      setDone(true);
    } catch (failure) {
      setError(failure);
    } finally {
      setBusy(false);
    }
  };

  return (
    <main id="main" class="landing" tabIndex={-1}>
      <div class="landing-hero">
        <div class="brand brand-large">
          <Logo />
          <span>Code Sensei</span>
        </div>
        <h1>Set a new password.</h1>
      </div>
      <div class="signin-form card">
        {done ? (
          <>
            <Notice kind="success">Your password is set. Sign in with it now.</Notice>
            <Link class="btn btn-primary btn-block" href="/">Sign in</Link>
          </>
        ) : token ? (
          <form onSubmit={(e) => void submit(e)} aria-labelledby="reset-title">
            <h2 id="reset-title">New password</h2>
            <div class="field">
              <label for="new-password">New password</label>
              <input id="new-password" type="password" autoComplete="new-password" required minLength={10} value={password}
                onInput={(e) => setPassword((e.currentTarget as HTMLInputElement).value)} />
            </div>
            <div class="field">
              <label for="new-password-again">The same again</label>
              <input id="new-password-again" type="password" autoComplete="new-password" required value={again}
                onInput={(e) => setAgain((e.currentTarget as HTMLInputElement).value)} />
            </div>
            <ErrorBox error={error} />
            <button type="submit" class="btn btn-primary btn-block" disabled={busy}>
              {busy ? "Saving…" : "Set password"}
            </button>
          </form>
        ) : (
          <p>This link has no token. Ask an administrator for a new password-reset link.</p>
        )}
      </div>
    </main>
  );
}

export { Logo };
