// The API's shapes, as src/codesensei/api/schemas/ defines them (GET /openapi.json is the reference).

export type Role = "candidate" | "author" | "reviewer" | "admin";

export interface UserOut {
  id: string;
  email: string;
  name: string;
  role: Role;
  active: boolean;
  has_password: boolean;
  created_at: string;
}

export interface TokenResponse {
  access_token: string;
  token_type: "bearer";
  expires_in: number;
  expires_at: string;
  refresh_token: string;
  refresh_expires_at: string;
  user: UserOut;
}

export interface ClaimResponse extends TokenResponse {
  assessment_id: string;
}

export type Mode = "fixed" | "random" | "adaptive";
export type FeedbackMode = "immediate" | "after_submission" | "never";

export interface AssessmentBrief {
  id: string;
  title: string;
  instructions: string;
  mode: Mode;
  status: string;
  access: "invited" | "public";
  questions: number;
  duration_minutes: number | null;
  question_time_limit_s: number | null;
  max_attempts: number | null;
  opens_at: string | null;
  closes_at: string | null;
  feedback: FeedbackMode;
  hints_allowed: boolean;
  published_at: string | null;
  hint_penalty?: number;
  assistant?: AssistantState;
}

export type AssistantKind = "explain" | "debug" | "hint" | "review" | "chat";

/** The assistant policy: `available` says whether it answers now (on the waiting question, in an attempt). */
export interface AssistantState {
  mode: "off" | "hints" | "full";
  available: boolean;
  kinds: AssistantKind[];
}

export interface HintState {
  allowed: boolean;
  penalty: number;
  used: number;
  left: number;
}

export interface RevealedHints {
  attempt_id: string;
  position: number;
  question_id: string;
  penalty_per_hint: number;
  hints: { number: number; text: string }[];
  remaining: number;
}

export interface OwnExchange {
  position: number | null;
  kind: string;
  request: string;
  reply: string;
  created_at: string;
}

export interface OptionOut {
  key: string;
  text: string;
}

export interface SampleTest {
  name: string;
  input?: string | null;
  args?: unknown[] | null;
  expected?: unknown;
}

export interface QuestionView {
  question_id: string;
  version: number;
  type: QuestionType;
  title: string;
  text: string;
  points: number;
  hints_available: number;
  options?: OptionOut[] | null;
  select?: "one" | "many" | null;
  items?: string[] | null;
  lefts?: string[] | null;
  rights?: string[] | null;
  blanks?: number | null;
  min_words?: number | null;
  max_words?: number | null;
  languages?: string[] | null;
  starter?: Record<string, string> | null;
  entry_point?: string | null;
  limits?: { time_s: number; memory_mb: number } | null;
  sample_tests?: SampleTest[] | null;
  topics?: string[] | null;
  difficulty?: string | null;
}

export type QuestionType =
  | "mcq"
  | "mcq_multi"
  | "true_false"
  | "short_answer"
  | "code"
  | "matching"
  | "ordering"
  | "fill_blank"
  | "essay";

export const TYPES: QuestionType[] = ["mcq", "mcq_multi", "true_false", "short_answer", "fill_blank", "matching", "ordering", "essay", "code"];

export const TYPE_LABELS: Record<QuestionType, string> = {
  mcq: "Multiple choice (one answer)",
  mcq_multi: "Multiple choice (several answers)",
  true_false: "True or false",
  short_answer: "Short answer",
  fill_blank: "Fill in the blanks",
  matching: "Matching",
  ordering: "Ordering",
  essay: "Essay",
  code: "Programming",
};

export interface AttemptStarted {
  attempt_id: string;
  assessment_id: string;
  number: number;
  deadline_at: string | null;
  question: QuestionView | null;
}

export interface ProgressOut {
  attempt_id: string;
  status: string;
  total: number;
  answered: number;
  skipped: number;
  unanswered: number;
  current_position: number | null;
}

export interface ResumeOut {
  attempt_id: string;
  assessment_id: string;
  title: string;
  user: string;
  mode: string;
  status: string;
  submit_reason: string | null;
  can_skip: boolean;
  position: number | null;
  total: number;
  remaining_s: number | null;
  deadline_at: string | null;
  question_remaining_s: number | null;
  progress: ProgressOut;
  question: QuestionView | null;
  stop_reason: string | null;
  question_time_limit_s?: number | null;
  hints?: HintState;
  assistant?: AssistantState;
}

export interface CurrentQuestionOut {
  attempt_id: string;
  status: string;
  position: number | null;
  total: number;
  remaining_s: number | null;
  question: QuestionView | null;
  stop_reason: string | null;
  question_time_limit_s?: number | null;
  question_remaining_s?: number | null;
}

export interface AnswerFeedback {
  points_earned: number;
  points_possible: number;
  correct: boolean;
  message: string;
  needs_review: boolean;
  correct_answer?: unknown;
  explanation?: string | null;
}

export interface AnswerAck {
  recorded: boolean;
  attempt_id: string;
  position: number;
  question_id: string;
  status: string;
  time_spent_s: number;
  next_position: number | null;
  finished: boolean;
  feedback: AnswerFeedback | null;
}

export interface HintOut {
  position: number;
  number: number;
  text: string;
  penalty: number;
  remaining: number;
}

export interface ReviewEntry {
  position: number;
  question_id: string;
  status: string;
  hints_used: number;
  time_spent_s: number;
}

export interface ReviewOut {
  attempt_id: string;
  status: string;
  questions: ReviewEntry[];
}

export interface TimeOut {
  attempt_id: string;
  status: string;
  started_at: string;
  deadline_at: string | null;
  remaining_s: number | null;
  question_remaining_s: number | null;
}

export interface AttemptSummary {
  attempt_id: string;
  assessment_id: string;
  number: number;
  status: string;
  started_at: string;
  submitted_at: string | null;
  percentage: number | null;
  passed: boolean | null;
}

export interface QuestionResult {
  position: number;
  question_id: string;
  version: number;
  title: string;
  type: string;
  difficulty: string;
  topics: string[];
  status: string;
  points_earned: number;
  points_possible: number;
  correct: boolean;
  needs_review: boolean;
  hints_used: number;
  hint_penalty: number;
  time_spent_s: number;
  exec_time_ms: number | null;
  memory_kb: number | null;
  feedback: string;
  answer: unknown;
  correct_answer: unknown;
  explanation: string | null;
}

export interface Breakdown {
  name: string;
  questions: number;
  points_earned: number;
  points_possible: number;
  percentage: number;
}

export interface AttemptReport {
  attempt_id: string;
  assessment_id: string;
  title: string;
  user: string;
  number: number;
  status: string;
  submit_reason: string | null;
  started_at: string;
  submitted_at: string | null;
  points_earned: number;
  points_possible: number;
  percentage: number;
  passing_score: number;
  passed: boolean;
  grade: string;
  hints_used: number;
  hint_penalty: number;
  time_spent_s: number;
  pending_review: number;
  state: string;
  theta: number | null;
  questions: QuestionResult[];
  by_topic: Breakdown[];
  by_difficulty: Breakdown[];
  remediation: Record<string, string[]>;
}

export interface Metric {
  scope: string;
  count: number;
  mean_score: number;
  mean_time_s: number;
  executions: number;
  mean_exec_time_ms: number | null;
  mean_memory_kb: number | null;
}

export interface MetricsOut {
  user: string;
  scopes: Metric[];
}

export interface AssistantReply {
  attempt_id: string;
  position: number;
  kind: string;
  text: string;
  provider: string;
  tokens_used: number;
  tokens_limit: number;
  hint_number: number | null;
  hint_penalty: number;
}

export interface TestRun {
  name: string;
  visibility: "sample" | "hidden";
  verdict: string;
  weight?: number;
  time_ms: number;
  wall_ms?: number;
  memory_kb: number;
  message: string;
  stdout?: string | null;
  stderr?: string | null;
  expected?: string | null;
  diff?: string | null;
}

export interface JudgeReport {
  verdict: string;
  passed: number;
  total: number;
  score: number;
  tests: TestRun[];
  time_ms: number;
  memory_kb: number;
  compile_output: string;
  message: string;
}

export interface QueueEntry {
  attempt_id: string;
  assessment_id: string;
  user: string;
  number: number;
  submitted_at: string | null;
  position: number;
  question_id: string;
  question_version: number;
  type: string;
  title: string;
  points_earned: number;
  points_possible: number;
  feedback: string;
}

export interface AuditEntry {
  id: number;
  attempt_id: string;
  position: number;
  question_id: string;
  question_version: number;
  kind: string;
  actor: string;
  reason: string;
  old_points: number;
  new_points: number;
  old_correct: boolean;
  new_correct: boolean;
  details: Record<string, unknown>;
  created_at: string;
}

export interface ReviewItem {
  attempt_id: string;
  assessment_id: string;
  user: string;
  attempt_status: string;
  position: number;
  question_id: string;
  question_version: number;
  type: string;
  title: string;
  text: string;
  grading_method: string;
  rubric: { name?: string; criterion?: string; description?: string; weight?: number; points?: number }[];
  correct_answer: unknown;
  answer: unknown;
  status: string;
  points_earned: number;
  points_possible: number;
  correct: boolean;
  needs_review: boolean;
  score_source: string;
  feedback: string;
  criteria: Record<string, unknown>[];
  hints_used: number;
  hint_penalty: number;
  history: AuditEntry[];
}

export interface ScoreChange {
  audit_id: number;
  new_points: number;
  points_possible: number;
  attempt_percentage: number;
  attempt_passed: boolean;
  pending_review: number;
  state: string;
}

export interface LoggedExchange {
  position: number | null;
  kind: string;
  request: string;
  reply: string;
  provider: string;
  prompt: Record<string, unknown>[] | null;
  tokens: number;
  created_at: string;
}

export interface ExportRow {
  attempt_id: string;
  assessment_id: string;
  title: string;
  user: string;
  number: number;
  status: string;
  state: string;
  started_at: string;
  submitted_at: string | null;
  points_earned: number;
  points_possible: number;
  percentage: number;
  passed: boolean;
  grade: string;
  time_spent_s: number;
  hints_used: number;
  pending_review: number;
}

export interface QuestionSummary {
  id: string;
  type: string;
  title: string;
  difficulty: string;
  version: number;
  topics: string[];
  languages: string[];
  active?: boolean;
}

export interface QuestionPage {
  items: QuestionSummary[];
  total: number;
  limit: number;
  offset: number;
}

export interface QuestionDetail {
  question: Record<string, unknown>;
  version: number;
  versions: number[];
  active: boolean;
  statistics: { times_shown: number; times_correct: number; mean_time_s: number | null };
}

export interface ImportReport {
  created: number;
  updated: number;
  unchanged: number;
  files: { path: string; created: string[]; updated: string[]; unchanged: string[] }[];
}

export interface AssessmentOut {
  id: string;
  title: string;
  mode: Mode;
  status: string;
  published_at: string | null;
  definition: Record<string, unknown>;
}

export interface InvitationOut {
  id: string;
  assessment_id: string;
  email: string;
  status: string;
  created_at: string;
  expires_at: string;
  closes_at: string | null;
  claimed_at: string | null;
  user_id: string | null;
  token: string | null;
  link: string | null;
}

/** One test of a reference solution, as `POST /api/questions/verify` reports it (hidden ones too: authors only). */
export interface VerifyTest {
  name: string;
  visibility: "sample" | "hidden";
  verdict: string;
  passed: boolean;
  weight: number;
  time_ms: number;
  wall_ms: number;
  memory_kb: number;
  message: string;
}

export interface VerifyCheck {
  /** `key`, `solutions`, `generate`, or a solution: `accepted python`, `wrong java #2`. */
  check: string;
  outcome: "passed" | "failed" | "skipped";
  detail: string;
  seconds: number;
  tests: VerifyTest[];
}

export interface VerifyReport {
  question_id: string;
  ok: boolean;
  passed: number;
  failed: number;
  skipped: number;
  seconds: number;
  checks: VerifyCheck[];
}
