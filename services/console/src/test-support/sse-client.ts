// The SSE side of a signed-in browser for the console's integration specs (live updates).
/** An `update` as the browser receives it (ids only). */
export interface SseUpdate {
  type: string;
  caseId: string;
  taskId: string;
  propertyId: string;
  parcelId: string;
  messageId: string;
}

/** An open SSE stream of one signed-in browser, collecting its `update` events. */
export class SseClient {
  readonly updates: SseUpdate[] = [];
  private readonly abort = new AbortController();
  /** Set once the server ended the stream (not when we aborted it). */
  closedByServer = false;

  static async open(baseUrl: string, cookie: string): Promise<SseClient> {
    const client = new SseClient();
    const response = await fetch(`${baseUrl}/api/events`, {
      headers: { cookie },
      signal: client.abort.signal,
    });
    expect(response.status).toBe(200);
    void client.read(response.body!);
    return client;
  }

  private async read(body: ReadableStream<Uint8Array>): Promise<void> {
    const decoder = new TextDecoder();
    let buffer = '';
    try {
      for await (const chunk of body) {
        buffer += decoder.decode(chunk, { stream: true });
        let end: number;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const data = /^data: (.*)$/m.exec(block);
          if (/^event: update$/m.test(block) && data) this.updates.push(JSON.parse(data[1]!) as SseUpdate);
        }
      }
      this.closedByServer = true;
    } catch {
      // aborted at the end of the test
    }
  }

  /** Resolves once `done(updates)` holds, or fails after `timeoutMs`. */
  async waitUntil(done: (updates: SseUpdate[]) => boolean, what: string, timeoutMs = 5_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (done(this.updates)) return;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(`missing updates: ${what}`);
  }

  async waitFor(taskIds: string[], timeoutMs = 5_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (taskIds.every((id) => this.updates.some((u) => u.taskId === id))) return;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(
      `missing updates: ${taskIds.filter((id) => !this.updates.some((u) => u.taskId === id)).join(', ')}`,
    );
  }

  async waitClosed(timeoutMs = 5_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!this.closedByServer) {
      if (Date.now() > deadline) throw new Error('the server did not end the stream');
      await new Promise((r) => setTimeout(r, 25));
    }
  }

  close(): void {
    this.abort.abort();
  }
}
