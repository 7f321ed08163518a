import { DomainError } from '@portico/service-kit';

export const UPLOAD_RETRY_AFTER_SECONDS = 5;

/** All upload slots stayed busy for the whole wait: the caller (a page, a property system) retries after a moment. */
export class UploadBusyError extends DomainError {
  constructor() {
    super({
      code: 'uploads_busy',
      status: 503,
      message: {
        en: 'Many uploads are arriving right now. Please try again in a few seconds; nothing was lost.',
        zh: '当前上传人数较多，请几秒后重试，您的资料不会丢失。',
      },
      details: { retryAfterSeconds: UPLOAD_RETRY_AFTER_SECONDS },
    });
  }
}

/**
 * At most `slots` uploads are read and checked at once (one per core is plenty: the decode and
 * checks are CPU-bound, and each decoded photo is tens of MB of raw pixels). A request waiting
 * for a slot has not had its body read yet, so it holds a socket, not its photos: this is what
 * keeps a burst of large uploads inside the memory budget. Shared by id-vault (ID documents) and
 * claims (evidence photos); each service gives it its own settings. A request that waits longer
 * than `maxWaitMs`, or finds `maxQueue` ahead of it, gets 503 `uploads_busy` (with
 * `UPLOAD_RETRY_AFTER_SECONDS` for the Retry-After header).
 */
export class UploadGate {
  private active = 0;
  private readonly queue: Array<{ grant: () => void }> = [];

  constructor(
    private readonly slots: number,
    private readonly maxWaitMs: number,
    private readonly maxQueue = 200,
  ) {
    if (!Number.isInteger(slots) || slots < 1) throw new Error('upload slots must be >= 1');
  }

  get waiting(): number {
    return this.queue.length;
  }

  async run<T>(work: () => Promise<T>): Promise<T> {
    await this.acquire();
    try {
      return await work();
    } finally {
      this.release();
    }
  }

  private acquire(): Promise<void> {
    if (this.active < this.slots) {
      this.active += 1;
      return Promise.resolve();
    }
    if (this.queue.length >= this.maxQueue) return Promise.reject(new UploadBusyError());
    return new Promise((resolve, reject) => {
      const entry = {
        grant: () => {
          clearTimeout(timer);
          resolve();
        },
      };
      const timer = setTimeout(() => {
        const i = this.queue.indexOf(entry);
        if (i >= 0) this.queue.splice(i, 1);
        reject(new UploadBusyError());
      }, this.maxWaitMs);
      this.queue.push(entry);
    });
  }

  private release(): void {
    const next = this.queue.shift();
    // The slot passes straight to the next waiter; `active` only drops when nobody waits.
    if (next) next.grant();
    else this.active -= 1;
  }
}
