import { fileURLToPath } from "node:url";
import type { Inspector } from "./inspector.js";

/** A thread as `threads` lists it. */
export interface Thread {
  id: number;
  name: string;
}

interface WorkerInfo {
  workerId: string;
  title: string;
  url: string;
}

/**
 * The program's worker threads, as the main thread's inspector announces them (the NodeWorker
 * domain, on the in-process session too: Node 20 and 26 measured). They are listed, and run on
 * undebugged (docs/debugger.md): a worker is an isolate of its own, with its own copy of the
 * modules and slots. hotframe's own workers (this debugger's, the TypeScript compiler's) and
 * Node's (its module loader hooks thread on Node 20) are not the program's and are left out. A thread's id is its Node threadId + 1 (the main thread's
 * is 0: it is thread 1).
 */
export class WorkerThreads {
  /** By the inspector's session id for the worker. */
  private readonly attached = new Map<string, Thread>();

  constructor(
    private readonly inspector: Inspector,
    /** hotframe's own code: a worker started from it is not the program's. */
    private readonly agentDir: string,
  ) {
    inspector.on("NodeWorker.attachedToWorker", (p: { sessionId: string; workerInfo: WorkerInfo }) => {
      if (!this.isOwn(p.workerInfo.url))
        this.attached.set(p.sessionId, { id: Number(p.workerInfo.workerId) + 1, name: p.workerInfo.title });
    });
    inspector.on("NodeWorker.detachedFromWorker", (p: { sessionId: string }) =>
      this.attached.delete(p.sessionId),
    );
  }

  /** Announces the workers running now, then each one as it starts and ends. */
  enable(): Promise<unknown> {
    return this.inspector.post("NodeWorker.enable", { waitForDebuggerOnStart: false });
  }

  disable(): Promise<unknown> {
    this.attached.clear();
    return this.inspector.post("NodeWorker.disable");
  }

  /** The workers now (listed once their announcements sent before a request's answer are in). */
  async list(): Promise<Thread[]> {
    await this.inspector.post("Runtime.evaluate", { expression: "0", silent: true });
    return this.running();
  }

  /** The workers announced so far. */
  running(): Thread[] {
    return [...this.attached.values()].sort((a, b) => a.id - b.id);
  }

  /** hotframe's worker, or Node's own (Node 20's module loader hooks thread). */
  private isOwn(url: string): boolean {
    return (
      url.startsWith("node:") || (url.startsWith("file:") && fileURLToPath(url).startsWith(this.agentDir))
    );
  }
}
