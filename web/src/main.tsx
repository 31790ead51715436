// The app shell: navigation by role, the routes, and the signed-out pages.

import "./styles.css";

import { type JSX, render } from "preact";
import { useEffect, useState } from "preact/hooks";

import { currentUser, hasRole, onSessionChange, signOut } from "./api";
import { AccountPage } from "./pages/account";
import { AssessmentPage, AssessmentsPage } from "./pages/assessments";

import { AssessmentMetricsPage, MetricsPage } from "./pages/metrics";
import { PracticePage } from "./pages/practice";
import { ReportPage, ResultsPage } from "./pages/report";
import { ReviewPage } from "./pages/review";
import { ClaimPage, LandingPage, Logo, ResetPasswordPage } from "./pages/signin";
import { TakePage } from "./pages/take";
import { type Location, Link, match, navigate, useLocation } from "./router";
import type { UserOut } from "./types";
import { ErrorBox, Loading, Page } from "./ui";

type StaffPages = typeof import("./pages/staff");
let staffPages: Promise<StaffPages> | null = null;

/** A staff page, drawn once the staff chunk has loaded (at once after the first time). */
function Staff({ render }: { render: (pages: StaffPages) => JSX.Element }): JSX.Element {
  const [pages, setPages] = useState<StaffPages | null>(null);
  const [error, setError] = useState<unknown>(null);
  useEffect(() => {
    staffPages ??= import("./pages/staff");
    staffPages.then(setPages, (failure: unknown) => {
      staffPages = null; // a failed download is tried again on the next visit
      setError(failure);
    });
  }, []);
  if (error) return <ErrorBox error={error} />;
  return pages ? render(pages) : <Loading />;
}

function useUser(): UserOut | null {
  const [user, setUser] = useState(currentUser);
  useEffect(() => onSessionChange(() => setUser(currentUser())), []);
  return user;
}

/** The token of an invitation or reset link: `#token=…` (the API's links) or `?token=…`. */
function tokenOf(location: Location): string | null {
  return new URLSearchParams(location.hash.replace(/^#/, "")).get("token") ?? location.query.get("token");
}

interface NavItem {
  href: string;
  label: string;
  show: (user: UserOut) => boolean;
}

const NAV: NavItem[] = [
  { href: "/assessments", label: "Assessments", show: () => true },
  { href: "/practice", label: "Practice", show: () => true },
  { href: "/metrics", label: "Metrics", show: () => true },
  { href: "/review", label: "Review", show: (u) => hasRole(u, "reviewer") },
  { href: "/bank", label: "Question bank", show: (u) => hasRole(u, "author") },
  { href: "/author/assessments", label: "Manage assessments", show: (u) => hasRole(u, "author") },
  { href: "/admin/users", label: "Users", show: (u) => u.role === "admin" },
  { href: "/account", label: "Account", show: () => true },
];

function Shell({ user, location, children }: { user: UserOut; location: Location; children: JSX.Element }): JSX.Element {
  const [menuOpen, setMenuOpen] = useState(false);
  useEffect(() => setMenuOpen(false), [location.path]);
  const focused = location.path.startsWith("/attempts/") && !location.path.endsWith("/results");
  return (
    <div class={`shell ${focused ? "shell-focus" : ""}`}>
      <a class="skip-link" href="#main">Skip to content</a>
      <header class="topbar">
        <Link href="/assessments" class="brand">
          <Logo />
          <span>Code Sensei</span>
        </Link>
        <button type="button" class="btn menu-button" aria-expanded={menuOpen} aria-controls="main-nav" onClick={() => setMenuOpen(!menuOpen)}>
          Menu
        </button>
        <div class="topbar-user">
          <span class="muted small">{user.name || user.email} · {user.role}</span>
          <button type="button" class="btn btn-small" onClick={() => void signOut().then(() => navigate("/", { replace: true }))}>
            Sign out
          </button>
        </div>
      </header>
      <nav id="main-nav" class={`sidenav ${menuOpen ? "open" : ""}`} aria-label="Main">
        <ul>
          {NAV.filter((item) => item.show(user)).map((item) => {
            const active = location.path === item.href || location.path.startsWith(`${item.href}/`);
            return (
              <li key={item.href}>
                <Link href={item.href} class={active ? "active" : ""} aria-current={active ? "page" : undefined}>
                  {item.label}
                </Link>
              </li>
            );
          })}
        </ul>
      </nav>
      <main id="main" tabIndex={-1}>{children}</main>
    </div>
  );
}

function NotFound(): JSX.Element {
  return (
    <Page title="Page not found">
      <p>There is no page here. <Link href="/assessments">Go to your assessments</Link>.</p>
    </Page>
  );
}

function Forbidden(): JSX.Element {
  return (
    <Page title="Not available">
      <p>Your account's role does not give access to this page.</p>
    </Page>
  );
}

function route(location: Location, user: UserOut): JSX.Element {
  const { path, query } = location;
  let m: Record<string, string> | null;
  if (path === "/" || path === "/assessments" || path === "/signin") return <AssessmentsPage />;
  if ((m = match("/assessments/:id", path))) return <AssessmentPage id={m["id"] ?? ""} />;
  if ((m = match("/attempts/:id/results", path))) return <ResultsPage attemptId={m["id"] ?? ""} reason={query.get("reason")} />;
  if ((m = match("/attempts/:id", path))) return <TakePage key={m["id"]} attemptId={m["id"] ?? ""} />;
  if (path === "/metrics") return <MetricsPage user={query.get("user")} />;
  if ((m = match("/metrics/assessments/:id", path))) return <AssessmentMetricsPage id={m["id"] ?? ""} user={query.get("user")} />;
  if (path === "/practice") return <PracticePage />;
  if (path === "/account") return <AccountPage />;
  if (path === "/review") return hasRole(user, "reviewer") ? <ReviewPage assessment={query.get("assessment")} user={query.get("user")} state={query.get("state")} /> : <Forbidden />;
  if ((m = match("/reports/:id", path))) return hasRole(user, "reviewer") ? <ReportPage attemptId={m["id"] ?? ""} /> : <Forbidden />;
  if (path === "/admin/users") return user.role === "admin" ? <Staff render={(p) => <p.UsersPage />} /> : <Forbidden />;
  if (!hasRole(user, "author") && (path.startsWith("/bank") || path.startsWith("/author"))) return <Forbidden />;
  if (path === "/bank") return <Staff render={(p) => <p.BankPage query={query} />} />;
  if (path === "/bank/edit") return <Staff render={(p) => <p.QuestionEditorPage id={query.get("id")} />} />;
  if (path === "/author/assessments") return <Staff render={(p) => <p.AssessmentsAdminPage />} />;
  if (path === "/author/assessments/new") return <Staff render={(p) => <p.AssessmentBuilderPage from={query.get("from")} />} />;
  if ((m = match("/author/assessments/:id/invitations", path))) {
    const id = m["id"] ?? "";
    return <Staff render={(p) => <p.InvitationsPage id={id} />} />;
  }
  return <NotFound />;
}

function App(): JSX.Element {
  const location = useLocation();
  const user = useUser();
  const { path } = location;

  // `/#/invite?token=…` (older links) is the same as `/claim#token=…`.
  useEffect(() => {
    if (path === "/" && location.hash.startsWith("#/invite")) {
      const token = new URLSearchParams(location.hash.split("?")[1] ?? "").get("token");
      navigate(token ? `/claim#token=${encodeURIComponent(token)}` : "/claim", { replace: true });
    }
  }, [path, location.hash]);

  if (path === "/claim" || path === "/invite") return <ClaimPage token={tokenOf(location)} />;
  if (path === "/reset-password") return <ResetPasswordPage token={tokenOf(location)} />;
  if (!user) {
    const next = path === "/" || path === "/signin" ? location.query.get("next") : `${path}${window.location.search}`;
    return <LandingPage next={next} />;
  }
  return (
    <Shell user={user} location={location}>
      {route(location, user)}
    </Shell>
  );
}

const root = document.getElementById("app");
if (root) render(<App />, root);
