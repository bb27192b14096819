import { Session } from "node:inspector";

/** A V8 remote object, as the inspector protocol describes one (the fields hotframe reads). */
export interface RemoteObject {
  type: string;
  subtype?: string;
  className?: string;
  value?: unknown;
  unserializableValue?: string;
  description?: string;
  objectId?: string;
}

export interface Location {
  scriptId: string;
  /** 0-based, as V8 counts. */
  lineNumber: number;
  columnNumber?: number;
}

export interface V8Scope {
  type:
    | "global"
    | "local"
    | "with"
    | "closure"
    | "catch"
    | "block"
    | "script"
    | "eval"
    | "module"
    | "wasm-expression-stack";
  object: RemoteObject;
  name?: string;
  startLocation?: Location;
}

export interface CallFrame {
  callFrameId: string;
  functionName: string;
  functionLocation?: Location;
  location: Location;
  url: string;
  scopeChain: V8Scope[];
  this: RemoteObject;
  canBeRestarted?: boolean;
}

export interface PausedParams {
  callFrames: CallFrame[];
  reason: string;
  data?: RemoteObject & { uncaught?: boolean };
  hitBreakpoints?: string[];
}

/** How long a request waits for its answer before the main thread is nudged (see post). */
const KICK_MS = 30;

/** An inspector error answer (its message is V8's). */
export class InspectorError extends Error {}

/**
 * The in-process inspector, connected from this worker thread to the program's main thread
 * (no port): requests as promises, and the events hotframe listens to.
 */
export class Inspector {
  private readonly session = new Session();

  constructor() {
    this.session.connectToMainThread();
  }

  /**
   * A request. `answeredLate`: V8 answers it only later, by design (Runtime.terminateExecution
   * when the program's current task ends), so it is not nudged.
   */
  post<T = Record<string, unknown>>(
    method: string,
    params: object = {},
    { answeredLate = false } = {},
  ): Promise<T> {
    return new Promise((resolve, reject) => {
      // Node 26 sometimes leaves the main thread's answer queued until it receives another
      // message: a request not answered soon is followed by no-op ones until it is.
      const kick = answeredLate
        ? undefined
        : setInterval(() => this.session.post("Runtime.evaluate", { expression: "0" }), KICK_MS);
      this.session.post(method, params, (error, result) => {
        clearInterval(kick);
        if (error) reject(new InspectorError(error.message));
        else resolve(result as T);
      });
    });
  }

  /** A request whose answer nobody waits for (and that is not nudged: see post). */
  send(method: string, params: object = {}): void {
    this.session.post(method, params);
  }

  on(event: string, listener: (params: never) => void): void {
    this.session.on(event, (message: { params: never }) => listener(message.params));
  }

  disconnect(): void {
    this.session.disconnect();
  }
}
