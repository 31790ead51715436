// The attempt's WebSocket (`/ws/attempts/{id}`): run the sample tests, submit code with per-test results
// streamed as each test finishes, and ask the assistant with its reply streamed as it is written. The first
// message authenticates; each job's events carry `job` and `seq`, and after a dropped connection the client
// reconnects and resumes the running job after the last `seq`.

import { freshAccessToken } from "./api";
import type { AnswerAck, AssistantReply, JudgeReport, TestRun } from "./types";

export type JobEvent =
  | { type: "accepted"; job: string; seq: number; kind: string }
  | { type: "compiled"; job: string; seq: number; ok: boolean; compile_output: string; cached: boolean; message: string }
  | { type: "test"; job: string; seq: number; result: TestRun }
  | { type: "done"; job: string; seq: number; report?: JudgeReport | null; ack?: AnswerAck }
  | { type: "assistant_delta"; job: string; seq: number; text: string }
  | { type: "assistant_done"; job: string; seq: number; reply: AssistantReply }
  | { type: "error"; job?: string; seq?: number; code: string; message: string; retry_after_s?: number };

export type SocketState = "connecting" | "ready" | "unavailable";

interface Pending {
  message: Record<string, unknown>;
  job: string | null;
  lastSeq: number;
  onEvent: (event: JobEvent) => void;
  resolve: (event: JobEvent) => void;
}

const RECONNECT_MS = [500, 1000, 2000, 4000, 8000];

export class AttemptSocket {
  private socket: WebSocket | null = null;
  private token = "";
  private pending: Pending | null = null;
  private attempts = 0;
  private closed = false;
  private everReady = false;
  state: SocketState = "connecting";

  constructor(
    private readonly attemptId: string,
    private readonly onState: (state: SocketState) => void,
  ) {
    void this.connect();
  }

  private setState(state: SocketState): void {
    this.state = state;
    this.onState(state);
  }

  private async connect(): Promise<void> {
    if (this.closed) return;
    const token = await freshAccessToken();
    if (!token || this.closed) {
      this.setState("unavailable");
      return;
    }
    const scheme = window.location.protocol === "https:" ? "wss" : "ws";
    let socket: WebSocket;
    try {
      socket = new WebSocket(`${scheme}://${window.location.host}/ws/attempts/${encodeURIComponent(this.attemptId)}`);
    } catch {
      this.setState("unavailable");
      return;
    }
    this.socket = socket;
    socket.onopen = () => {
      this.token = token;
      socket.send(JSON.stringify({ type: "auth", token }));
    };
    socket.onmessage = (message) => this.receive(JSON.parse(String(message.data)) as JobEvent | { type: "ready" });
    socket.onclose = (event) => this.dropped(event);
  }

  private receive(event: JobEvent | { type: "ready" }): void {
    if (event.type === "ready") {
      this.attempts = 0;
      this.everReady = true;
      this.setState("ready");
      const pending = this.pending;
      if (pending) {
        // Reconnected while a job ran: its remaining events, each once; or the job again if it never started.
        this.send(pending.job ? { type: "resume", job: pending.job, after: pending.lastSeq } : pending.message);
      }
      return;
    }
    const pending = this.pending;
    if (!pending) return;
    if (event.type === "accepted" && !pending.job) pending.job = event.job;
    if ("job" in event && event.job && pending.job && event.job !== pending.job) return;
    if (typeof event.seq === "number") {
      if (event.seq <= pending.lastSeq) return;
      pending.lastSeq = event.seq;
    }
    pending.onEvent(event);
    if (event.type === "done" || event.type === "assistant_done" || event.type === "error") {
      this.pending = null;
      pending.resolve(event);
    }
  }

  private dropped(event: CloseEvent): void {
    this.socket = null;
    if (this.closed) return;
    // 1008: refused (signed out, not this user's attempt): no point in retrying with the same token.
    if (!this.everReady && (event.code === 1008 || this.attempts >= 2)) {
      this.setState("unavailable");
      this.failPending("The live connection to the server is not available.");
      return;
    }
    this.setState("connecting");
    const delay = RECONNECT_MS[Math.min(this.attempts, RECONNECT_MS.length - 1)] ?? 8000;
    this.attempts += 1;
    if (this.attempts > 8) {
      this.setState("unavailable");
      this.failPending("The connection to the server was lost.");
      return;
    }
    window.setTimeout(() => void this.connect(), delay);
  }

  private failPending(message: string): void {
    const pending = this.pending;
    if (!pending) return;
    this.pending = null;
    const error: JobEvent = { type: "error", code: "connection_lost", message };
    pending.onEvent(error);
    pending.resolve(error);
  }

  private send(message: Record<string, unknown>): void {
    this.socket?.send(JSON.stringify(message));
  }

  /** Whether a job is under way (the socket runs one at a time). */
  get busy(): boolean {
    return this.pending !== null;
  }

  /** Start a job (one at a time); `onEvent` sees each event, the promise the terminal one. */
  async job(message: Record<string, unknown>, onEvent: (event: JobEvent) => void): Promise<JobEvent> {
    if (this.pending) throw new Error("another job is running");
    const token = await freshAccessToken();
    if (this.state === "unavailable") {
      const error: JobEvent = { type: "error", code: "connection_lost", message: "The live connection to the server is not available." };
      onEvent(error);
      return error;
    }
    return new Promise<JobEvent>((resolve) => {
      this.pending = { message, job: null, lastSeq: 0, onEvent, resolve };
      if (this.state !== "ready" || !this.socket || this.socket.readyState !== WebSocket.OPEN) return; // sent on ready
      if (token && token !== this.token) {
        this.token = token; // an access token lives minutes; an attempt may last longer
        this.send({ type: "auth", token });
      }
      this.send(message);
    });
  }

  close(): void {
    this.closed = true;
    this.failPending("The page was closed.");
    this.socket?.close();
  }
}
